import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { indexedText } from "../../src/search/analyzer.js";
import { planSearch, WEIGHTS } from "../../src/search/prepare-query.js";
import { corrections, editDistance, hasPrefix, vocabularyOfSkills, type Vocabulary } from "../../src/search/vocabulary.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import { migrate } from "../../src/store/sqlite/sqlite-schema.js";
import { sqliteVocabulary } from "../../src/store/sqlite/sqlite-vocabulary.js";

const vocabulary: Vocabulary = {
  documents: 50,
  terms: new Map(Object.entries({ download: 6, email: 9, tabl: 4, login: 3, calendar: 5, currenc: 2, aggreg: 2, spreadsheet: 1, stop: 7, show: 3 })),
};

describe("typo tolerance against the index's vocabulary", () => {
  it("editDistance() - insertions, deletions, substitutions and neighbour swaps count 1", () => {
    expect(editDistance("emial", "email", 2)).toBe(1);
    expect(editDistance("dowload", "download", 2)).toBe(1);
    expect(editDistance("calender", "calendar", 2)).toBe(1);
    expect(editDistance("abc", "abc", 1)).toBe(0);
    expect(editDistance("kitten", "sitting", 5)).toBe(3);
    expect(editDistance("short", "muchlongerword", 2)).toBe(3);
  });

  it("corrections() - the nearest index terms, distance 1 from 4 letters, 2 from 8", () => {
    expect(corrections(vocabulary, ["dowload"])).toEqual([{ term: "download", distance: 1 }]);
    expect(corrections(vocabulary, ["emial"])).toEqual([{ term: "email", distance: 1 }]);
    expect(corrections(vocabulary, ["logni"])).toEqual([{ term: "login", distance: 1 }]);
    expect(corrections(vocabulary, ["spredshet"])).toEqual([{ term: "spreadsheet", distance: 2 }]);
    // Too short to correct, or too far.
    expect(corrections(vocabulary, ["emi"])).toEqual([]);
    expect(corrections(vocabulary, ["elephant"])).toEqual([]);
  });

  it("planSearch() - a word the index lacks gets its correction, weighted below an exact match", () => {
    const plan = planSearch("dowload currancy", vocabulary);
    expect(plan.words[0]?.alternatives).toContainEqual(expect.objectContaining({ terms: ["download"], kind: "typo", weight: WEIGHTS.typo }));
    expect(plan.words[1]?.alternatives).toContainEqual(expect.objectContaining({ terms: ["currenc"], kind: "typo" }));
    expect(plan.text.groups.flat()).toEqual(expect.arrayContaining(["dowload*", "download", "currenc"]));
  });

  it("planSearch() - held words and English words are not 'corrected' (shop is not stop or show)", () => {
    expect(planSearch("email", vocabulary).words[0]?.alternatives.filter((a) => a.kind === "typo")).toEqual([]);
    expect(planSearch("shop", vocabulary).words[0]?.alternatives.filter((a) => a.kind === "typo")).toEqual([]);
    // A prefix of a held term is held: "calend" (calender) matches "calendar" as a prefix.
    expect(planSearch("calender", vocabulary).words[0]?.alternatives.filter((a) => a.kind === "typo")).toEqual([]);
  });

  it("hasPrefix()", () => {
    expect(hasPrefix(vocabulary, "calend")).toBe(true);
    expect(hasPrefix(vocabulary, "downloads")).toBe(false);
    expect(hasPrefix(vocabulary, "email")).toBe(true);
  });
});

describe("vocabularies", () => {
  const skills = [
    normalizeSkill({ id: "a", name: "Send an email", description: "Sends email over SMTP", tags: ["email"] }, { limits: true }),
    normalizeSkill({ id: "b", name: "Read email", description: "Reads the inbox" }, { limits: true }),
  ];

  it("vocabularyOfSkills() - document frequencies and mean field lengths of the index terms", () => {
    const made = vocabularyOfSkills(skills);
    expect(made.documents).toBe(2);
    expect(made.terms.get("email")).toBe(2);
    expect(made.terms.get("smtp")).toBe(1);
    expect(made.averageLengths?.name).toBe(2);
  });

  it("sqliteVocabulary() - reads skills_vocab; the same object until the index changes", () => {
    const db = new Database(":memory:");
    migrate(db);
    const insert = db.prepare("INSERT INTO skills_fts (rowid, name, description, tags, category, instructions) VALUES (?, ?, ?, ?, ?, ?)");
    const add = (rowid: number, skill: (typeof skills)[number]) => {
      const index = indexedText(skill);
      insert.run(rowid, index.name, index.description, index.tags, index.category, index.instructions);
    };
    const read = sqliteVocabulary(db);
    expect(read().documents).toBe(0);
    add(1, skills[0] as (typeof skills)[number]);
    const first = read();
    expect(first.documents).toBe(1);
    expect(first.terms.get("email")).toBe(1);
    expect(first.averageLengths?.name).toBe(2);
    expect(read()).toBe(first);
    add(2, skills[1] as (typeof skills)[number]);
    const second = read();
    expect(second).not.toBe(first);
    expect(second.documents).toBe(2);
    expect(second.terms.get("email")).toBe(2);
    db.prepare("DELETE FROM skills_fts WHERE rowid = ?").run(2);
    const third = read();
    expect(third).not.toBe(second);
    expect(third.documents).toBe(1);
    expect(third.terms.get("inbox")).toBeUndefined();
    db.close();
  });
});
