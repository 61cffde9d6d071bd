package dev.faultline.analyser.rules;

/**
 * An example in a rule file: trace text (exact kernel formats and faultline_* lines, after the named
 * setup's lines) and how many alerts of the rule it must raise; 0 means it must stay quiet.
 *
 * @param gfn expected [first, last] GFN of the first alert, or null when not checked
 */
public record Example(String name, String trace, int fires, long[] gfn, String where) {
}
