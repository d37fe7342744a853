import { describe, expect, it } from "vitest";
import { isFunctionWord } from "../../src/search/analyzer.js";
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

  it("relatedWords() - hyponyms of the most common sense count, below its synonyms, unless the synset has very many", () => {
    // A teakettle is a kind of kettle.
    expect(closeness("kettle", "teakettle") ?? 0).toBeGreaterThan(0);
    expect(closeness("kettle", "teakettle") ?? 1).toBeLessThan(closeness("kettle", "boiler") ?? 0);
    // "animal" has hundreds of hyponyms: none of them stands for the word.
    expect(lemmas("animal")).not.toContain("pet");
    expect(lemmas("animal")).not.toContain("predator");
  });

  it("relatedWords() - similar adjectives of the second sense count too ('absurd', incongruous → foolish)", () => {
    expect(closeness("absurd", "foolish") ?? 0).toBeGreaterThan(0);
  });

  it("relatedWords() - function words of a definition are left out", () => {
    // "living or active only in the presence of oxygen"
    expect(lemmas("aerobiotic")).toContain("oxygen");
    for (const word of ["aerobiotic", "kettle", "vehicle"]) {
      for (const { lemma } of relatedWords(word)) expect(isFunctionWord(lemma) || lemma.length < 3, `${word} → ${lemma}`).toBe(false);
    }
  });

  it("relatedWords() - an unlikely part of speech counts less: an inflection of another lemma, a verb after a determiner", () => {
    // "dwelling" is a noun (a home) before it is a form of "dwell" (populate, inhabit).
    expect(closeness("dwelling", "abode")).toBe(1);
    expect(closeness("dwelling", "populate") ?? 0).toBeLessThan(closeness("dwell", "populate") ?? 0);
    // "jog" as a verb is "ramble on"; after a determiner ("a jog") it is a noun first.
    expect(closeness("jog", "ramble on")).toBe(1);
    const nominal = relatedWords("jog", true).find((r) => r.lemma === "ramble on")?.closeness ?? 0;
    expect(nominal).toBeLessThan(1);
    expect(relatedWords("jog", true).find((r) => r.lemma === "trot")?.closeness).toBe(closeness("jog", "trot"));
  });
});
