import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_EVAL_FILE, loadEvalSet } from "../../bench/eval-search.js";
import { generateSkills } from "../../bench/generate-skills.js";
import { planSearch } from "../../src/search/prepare-query.js";
import { rankCandidates } from "../../src/search/rank-candidates.js";
import { SearchIndex } from "../../src/search/search-index.js";
import { indexCandidateLimit } from "../../src/search/search-skills.js";
import { vocabularyOfSkills } from "../../src/search/vocabulary.js";
import type { Skill, SkillInput } from "../../src/skill/skill.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import type { SkillFilter } from "../../src/store/skill-store.js";
import { toSkill } from "../../src/store/skill-record.js";

let made = 0;
function stored(input: SkillInput, version = 1, runs = 0, successes = 0): Skill {
  const content = normalizeSkill(input, { limits: true });
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, made++)).toISOString();
  return toSkill(content, version, at, at, { executions: runs, successes, failures: runs - successes, timeouts: 0, totalDurationMs: runs, p95DurationMs: 1, lastExecutedAt: runs ? at : null });
}

function indexOf(skills: readonly Skill[]): SearchIndex {
  const index = new SearchIndex();
  for (const skill of skills) index.upsert(skill);
  return index;
}

/** Every skill ranked, no candidate choice: what the index's answer must agree with. */
function exhaustive(skills: readonly Skill[], query: string, limit: number, filter: (s: Skill) => boolean = () => true): string[] {
  const vocabulary = vocabularyOfSkills(skills);
  const plan = planSearch(query, vocabulary);
  return rankCandidates(plan, skills.filter(filter).map((skill) => ({ skill, score: 0 })), limit, vocabulary).map((s) => s.id);
}

function search(index: SearchIndex, query: string, limit: number, filter: SkillFilter = {}): string[] {
  return index.search(planSearch(query, index.vocabulary()), filter, limit, indexCandidateLimit(limit)).map((s) => s.id);
}

describe("SearchIndex", () => {
  it.skipIf(!existsSync(DEFAULT_EVAL_FILE))(".search() - the dev set's top 5 equal a ranking of every skill (no match lost to the candidate choice)", () => {
    const data = loadEvalSet(DEFAULT_EVAL_FILE);
    const skills = data.skills.map((s) => stored(s));
    const index = indexOf(skills);
    const differing = data.queries.filter((q) => search(index, q.query, 5).join() !== exhaustive(skills, q.query, 5).join());
    expect(differing.map((q) => q.query)).toEqual([]);
  });

  it(".search() - on 1,000 skills of Zipf text the top 10 are nearly always those of a ranking of every skill", () => {
    // The candidates are chosen without the phrase and name bonuses, so now and then a skill
    // that only those bonuses lift is left out; the first result is never lost.
    const { skills: inputs, queries } = generateSkills(1000, 3);
    const skills = inputs.map((s) => stored(s));
    const index = indexOf(skills);
    const sample = queries.slice(0, 40);
    const pairs = sample.map((q) => [search(index, q, 10), exhaustive(skills, q, 10)] as const);
    expect(pairs.filter(([a, b]) => a.join() === b.join()).length).toBeGreaterThanOrEqual(0.95 * sample.length);
    expect(pairs.map(([a]) => a[0])).toEqual(pairs.map(([, b]) => b[0]));
    for (const [a, b] of pairs) expect(a.filter((id) => b.includes(id)).length).toBeGreaterThanOrEqual(8);
  });

  it(".upsert() / .remove() - a replaced skill is found by its new words only; a removed one not at all", () => {
    const index = indexOf([stored({ id: "a", name: "Resize images", description: "Makes pictures smaller" }), stored({ id: "b", name: "Send email", description: "Mails a message" })]);
    expect(search(index, "resize", 5)).toEqual(["a"]);
    index.upsert(stored({ id: "a", name: "Crop photos", description: "Cuts the edges off" }, 2));
    expect(search(index, "resize", 5)).toEqual([]);
    expect(search(index, "crop", 5)).toEqual(["a"]);
    index.remove("b");
    expect(search(index, "email", 5)).toEqual([]);
    expect(index.size).toBe(1);
    expect(index.vocabulary().terms.has("email")).toBe(false);
  });

  it(".upsert() - new stats of an unchanged skill move it by reliability and through minSuccessRate", () => {
    const twin = (id: string) => ({ id, name: "Parse invoice", description: "Reads an invoice PDF" });
    const index = indexOf([stored(twin("x1")), stored(twin("x2"))]);
    expect(search(index, "parse invoice", 2)).toEqual(["x1", "x2"]);
    const x2 = index.get("x2") as Skill;
    index.upsert({ ...x2, stats: { ...x2.stats, executions: 20, successes: 20, successRate: 1 } });
    expect(search(index, "parse invoice", 2)).toEqual(["x2", "x1"]);
    expect(search(index, "parse invoice", 2, { minSuccessRate: 0.5 })).toEqual(["x2"]);
  });

  it(".search() - category, tags and minSuccessRate filter as the stores' SQL does", () => {
    const skills = [
      stored({ id: "a", name: "Upload report", description: "Uploads a report", category: "files", tags: ["s3", "reports"] }, 1, 4, 4),
      stored({ id: "b", name: "Upload photo", description: "Uploads a photo", category: "media", tags: ["s3"] }, 1, 4, 1),
      stored({ id: "c", name: "Upload log", description: "Uploads a log", category: "files", tags: ["reports"] }),
    ];
    const index = indexOf(skills);
    expect(search(index, "upload", 5, { category: "files" }).sort()).toEqual(["a", "c"]);
    expect(search(index, "upload", 5, { tags: ["s3", "reports"] })).toEqual(["a"]);
    expect(search(index, "upload", 5, { minSuccessRate: 0.5 })).toEqual(["a"]);
    expect(search(index, "upload", 5, { minSuccessRate: 0 }).sort()).toEqual(["a", "b", "c"]);
  });

  it(".remove() - after many replacements (compaction) results equal a fresh index of the same skills", () => {
    const { skills: inputs, queries } = generateSkills(600, 5);
    const index = new SearchIndex();
    for (let round = 1; round <= 4; round++) for (const input of inputs) index.upsert(stored(input, round));
    const fresh = indexOf(inputs.map((s) => stored(s)));
    expect(index.size).toBe(600);
    for (const q of queries.slice(0, 30)) expect(search(index, q, 10)).toEqual(search(fresh, q, 10));
  });
});
