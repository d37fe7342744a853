import { describe, expect, it } from "vitest";
import { baseForms, isKnownWord, relatedWords } from "../../src/search/wordnet.js";

const lemmas = (word: string) => relatedWords(word).map((r) => r.lemma);
const closeness = (word: string, lemma: string) => relatedWords(word).find((r) => r.lemma === lemma)?.closeness;

describe("WordNet synonyms", () => {
  it("relatedWords() - the lemmas of a word's most common senses ('grab' → catch, take hold of, snatch)", () => {
    expect(lemmas("grab")).toEqual(expect.arrayContaining(["catch", "take hold of", "snatch"]));
    // "take" on its own is only a word of a definition of "grab" ("take hold of so as to seize"): a looser relation.
    expect(closeness("grab", "take") ?? 0).toBeLessThan(closeness("grab", "catch") ?? 0);
  });

  it("relatedWords() - closer relations weigh more: a first-sense synonym beats a definition word", () => {
    expect(closeness("picture", "image")).toBe(1);
    expect(lemmas("erase")).toEqual(expect.arrayContaining(["delete", "remove"]));
    expect(closeness("erase", "remove") ?? 1).toBeLessThan(closeness("erase", "delete") ?? 0);
    for (const { closeness: value } of relatedWords("erase")) expect(value).toBeGreaterThan(0);
  });

  it("relatedWords() - inflected words and collocations are looked up by their base form", () => {
    expect(lemmas("photos")).toContain("photograph");
    expect(lemmas("cropping")).toContain("crop");
    expect(lemmas("shut off")).toContain("close off");
    expect(baseForms("cropping", "verb")).toContain("crop");
    expect(baseForms("boxes", "noun")).toContain("box");
  });

  it("relatedWords() - an unknown word has none; isKnownWord tells English from typos", () => {
    expect(relatedWords("xqzzyv")).toEqual([]);
    expect(relatedWords("grab").map((r) => r.lemma)).not.toContain("grab");
    expect(isKnownWord("calendar")).toBe(true);
    expect(isKnownWord("logging")).toBe(true);
    expect(isKnownWord("dowload")).toBe(false);
    expect(isKnownWord("emial")).toBe(false);
  });
});
