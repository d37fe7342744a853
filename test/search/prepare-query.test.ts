import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planSearch, WEIGHTS } from "../../src/search/prepare-query.js";
import type { Vocabulary } from "../../src/search/vocabulary.js";

function vocabulary(terms: Record<string, number>, documents = 100): Vocabulary {
  return { documents, terms: new Map(Object.entries(terms)) };
}

function forms(text: string, held?: Vocabulary): string[] {
  return planSearch(text, held).text.groups.flat();
}

describe("planSearch", () => {
  it("planSearch() - the typed words come first: stemmed, stop words out, prefixes from three letters", () => {
    expect(planSearch("logging in to the site").text.groups.slice(0, 2)).toEqual([["log*"], ["site*"]]);
    expect(planSearch("  ").text).toEqual({ groups: [] });
  });

  it("planSearch() - FTS and tsquery syntax characters never reach the store", () => {
    for (const text of ['"', '"login', "log*", "a:b", "(login", "-login", "login NEAR table", "NOT", "AND OR", "^", "{}", "'; DROP TABLE skills; --", "col:term", "x'y", "a\\b", "🙂 émoji"]) {
      for (const form of forms(text)) expect(form).toMatch(/^[\p{L}\p{N}]+\*?$/u);
    }
  });

  it("planSearch() - any text gives forms of letters and digits only (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        for (const form of forms(text)) expect(form).toMatch(/^[\p{L}\p{N}]+\*?$/u);
      }),
      { numRuns: 300 },
    );
  });

  it("planSearch() - the typed word's own term comes first with weight 1; every other form weighs less", () => {
    const plan = planSearch("erase picture");
    for (const word of plan.words) {
      expect(word.alternatives[0]).toMatchObject({ kind: "exact", weight: 1 });
      for (const other of word.alternatives.slice(1)) expect(other.weight).toBeLessThan(1);
    }
    expect(plan.words.map((w) => w.word)).toEqual(["erase", "picture"]);
  });

  it("planSearch() - contractions and function words are not searched", () => {
    const words = planSearch("don't fit someone's data").words.map((w) => w.word);
    expect(words).toEqual(["fit", "someone", "data"]);
  });

  it("planSearch() - with a vocabulary, synonyms the index does not hold, or that most skills hold, are left out", () => {
    const held = vocabulary({ imag: 3, pictur: 1, show: 90 });
    const picture = planSearch("picture", held).words[0];
    const terms = picture?.alternatives.map((a) => a.terms.join(" "));
    expect(terms).toContain("imag");
    expect(terms).not.toContain("show");
    expect(terms).not.toContain("icon");
  });

  it("planSearch() - two typed words the index writes as one ('log in' → login)", () => {
    const plan = planSearch("log in", vocabulary({ login: 5, log: 2 }));
    expect(plan.words[0]?.alternatives).toContainEqual(expect.objectContaining({ terms: ["login"], kind: "joined", weight: WEIGHTS.compound }));
    expect(plan.text.groups.flat()).toContain("login");
  });

  it("planSearch() - a compound the index splits ('webpage' → web page, and its head 'page')", () => {
    const alternatives = planSearch("webpage", vocabulary({ web: 4, page: 9 })).words[0]?.alternatives ?? [];
    expect(alternatives).toContainEqual(expect.objectContaining({ terms: ["web", "page"], kind: "split" }));
    expect(alternatives).toContainEqual(expect.objectContaining({ terms: ["page"], weight: WEIGHTS.head }));
  });

  it("planSearch() - a derived word whose base the index holds ('printable' → print)", () => {
    const alternatives = planSearch("printable", vocabulary({ print: 4 })).words[0]?.alternatives ?? [];
    expect(alternatives).toContainEqual(expect.objectContaining({ terms: ["print"], kind: "derived", weight: WEIGHTS.derived }));
    // "online" is not "onli" (only) plus a suffix.
    const online = planSearch("online", vocabulary({ onli: 4 })).words[0]?.alternatives ?? [];
    expect(online.map((a) => a.terms[0])).not.toContain("onli");
  });

  it("planSearch() - WordNet collocations count: 'keep an eye on' ~ watch", () => {
    const plan = planSearch("keep an eye on the page", vocabulary({ watch: 3, page: 10, keep: 2, ey: 1 }));
    const all = plan.words.flatMap((w) => w.alternatives.map((a) => a.terms.join(" ")));
    expect(all).toContain("watch");
  });

  it("planSearch() - a WordNet lemma holding the typed word itself ('hand over' for 'hand') is no other form of it", () => {
    const held = vocabulary({ hand: 3, over: 5, pass: 4, give: 6 });
    const alternatives = planSearch("hand", held).words[0]?.alternatives ?? [];
    for (const alternative of alternatives.slice(1)) {
      if (alternative.terms.length > 1) expect(alternative.terms).not.toContain("hand");
    }
  });

  it("planSearch() - after a determiner a word's verb senses weigh less ('a jog' is not 'ramble on')", () => {
    const held = vocabulary({ rambl: 2, trot: 2 });
    const weight = (text: string, target: string) =>
      planSearch(text, held).words.find((w) => w.word === "jog")?.alternatives.find((a) => a.terms.join(" ") === target)?.weight ?? 0;
    expect(weight("jog along the river", "rambl")).toBeGreaterThan(weight("a jog along the river", "rambl"));
    expect(weight("a jog along the river", "trot")).toBe(weight("jog along the river", "trot"));
  });
});
