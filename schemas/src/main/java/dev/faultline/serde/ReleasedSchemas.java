package dev.faultline.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The schemas of released versions, kept under schemas/src/main/resources/faultline/schemas/releases/
 * (one folder per release, listed in releases.txt). Never edit a released file: add a new release.
 */
public final class ReleasedSchemas {

    static final String ROOT = "/faultline/schemas/releases/";

    private ReleasedSchemas() {
    }

    /** Release names, oldest first. */
    public static List<String> versions() {
        List<String> out = new ArrayList<>();
        try (InputStream in = open(ROOT + "releases.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The writer schema of {@code record} (e.g. "Event") in one release. */
    public static Schema of(String version, String record) {
        String path = ROOT + version + "/" + record + ".avsc";
        try (InputStream in = open(path)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read released schema " + path, e);
        }
    }

    /** The record's writer schema in every release. */
    public static List<Schema> all(String record) {
        return versions().stream().map(v -> of(v, record)).toList();
    }

    private static InputStream open(String path) throws IOException {
        InputStream in = ReleasedSchemas.class.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("missing resource " + path);
        }
        return in;
    }
}
