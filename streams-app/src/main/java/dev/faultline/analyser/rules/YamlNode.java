package dev.faultline.analyser.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with where it stands in its file, so rule-file errors can say file:line:column.
 * Read with Jackson's streaming YAML parser (the tree model drops positions).
 */
public final class YamlNode {
    public enum Kind { MAP, LIST, SCALAR }

    private final Kind kind;
    private final String text;
    private final Map<String, YamlNode> map;
    private final List<YamlNode> list;
    private final Path file;
    private final int line;
    private final int column;

    private YamlNode(Kind kind, String text, Map<String, YamlNode> map, List<YamlNode> list, Path file, JsonLocation at) {
        this.kind = kind;
        this.text = text;
        this.map = map;
        this.list = list;
        this.file = file;
        this.line = at.getLineNr();
        this.column = at.getColumnNr();
    }

    public static YamlNode read(Path file) {
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            if (p.nextToken() == null) {
                return new YamlNode(Kind.LIST, null, null, List.of(), file, p.currentLocation());
            }
            return read(p, file);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new RuleFileException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RuleFileException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static YamlNode read(JsonParser p, Path file) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, YamlNode> m = new LinkedHashMap<>();
            while (p.nextToken() != JsonToken.END_OBJECT) {
                String key = p.currentName();
                JsonLocation keyAt = p.currentTokenLocation();
                p.nextToken();
                if (m.put(key, read(p, file)) != null) {
                    throw new RuleFileException(file + ":" + keyAt.getLineNr() + ":" + keyAt.getColumnNr()
                            + ": key '" + key + "' given twice");
                }
            }
            return new YamlNode(Kind.MAP, null, m, null, file, at);
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlNode> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(read(p, file));
            }
            return new YamlNode(Kind.LIST, null, null, l, file, at);
        }
        return new YamlNode(Kind.SCALAR, t == JsonToken.VALUE_NULL ? null : p.getText(), null, null, file, at);
    }

    public Kind kind() {
        return kind;
    }

    /** file:line:column, for messages. */
    public String where() {
        return file + ":" + line + ":" + column;
    }

    public int line() {
        return line;
    }

    public Path file() {
        return file;
    }

    public boolean has(String key) {
        return kind == Kind.MAP && map.containsKey(key);
    }

    public YamlNode get(String key) {
        return kind == Kind.MAP ? map.get(key) : null;
    }

    public Iterable<String> keys() {
        return map.keySet();
    }

    public List<YamlNode> items() {
        if (kind != Kind.LIST) {
            throw new RuleFileException(where() + ": expected a list");
        }
        return list;
    }

    /** The scalar's text; an error naming the position if this is not a scalar. */
    public String text() {
        if (kind != Kind.SCALAR) {
            throw new RuleFileException(where() + ": expected a single value, found a " + kind.name().toLowerCase());
        }
        return text;
    }

    /** A required string under {@code key}, non-blank. */
    public String string(String key, String what) {
        YamlNode n = get(key);
        if (n == null || n.kind != Kind.SCALAR || n.text == null || n.text.isBlank()) {
            throw new RuleFileException(where() + ": " + what + ": '" + key + "' is required");
        }
        return n.text;
    }

    public String stringOr(String key, String fallback) {
        YamlNode n = get(key);
        return n == null ? fallback : n.text();
    }
}
