import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze, analyzedText, indexedText } from "../../src/search/analyzer.js";

// analyzedText is the fast path of the index terms a store saves: any difference from
// analyze().join(" ") would change what the full-text index holds, and so search results.
describe("analyzer", () => {
  it("analyzedText() - equals analyze().join(' ') on ASCII text", () => {
    const word = fc.constantFrom("the", "Logging", "tables", "a", "x9", "OAuth2", "can't", "re-run", "and", "Browsers", "42");
    const separator = fc.constantFrom(" ", "  ", ", ", ".", "-", "\n", "/", "_", "(", "");
    const text = fc.array(fc.tuple(word, separator), { maxLength: 30 }).map((parts) => parts.map(([w, s]) => w + s).join(""));
    fc.assert(fc.property(text, (t) => analyzedText(t) === analyze(t).join(" ")), { numRuns: 500 });
  });

  it("analyzedText() - equals analyze().join(' ') on any text, Unicode too", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (t) => analyzedText(t) === analyze(t).join(" ")), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (t) => analyzedText(t) === analyze(t).join(" ")), { numRuns: 500 });
  });

  it("analyzedText() - leaves out stop words and stems the rest", () => {
    expect(analyzedText("  The Logging of tables, and re-runs!  ")).toBe("log tabl re run");
    expect(analyzedText("")).toBe("");
    expect(analyzedText("the and of")).toBe("");
    expect(analyzedText("Crème brûlée")).toBe(analyze("Crème brûlée").join(" "));
  });

  it("indexedText() - one string of terms per field", () => {
    const skill = { id: "s", name: "Parse CSV files", description: "Reads the rows", category: "data", tags: ["csv", "Parsing"], metadata: {}, instructions: "Split lines." };
    expect(indexedText(skill)).toEqual({ name: "pars csv file", description: "read row", tags: "csv pars", category: "data", instructions: "split line" });
  });
});
