import { describe, expect, it } from "vitest";
import { planSearch } from "../../src/search/prepare-query.js";
import { rankCandidates, reliability, scoreCandidates } from "../../src/search/rank-candidates.js";
import { vocabularyOfSkills } from "../../src/search/vocabulary.js";
import type { Skill, SkillInput } from "../../src/skill/skill.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import { toSkill } from "../../src/store/skill-record.js";

let made = 0;
function skill(input: SkillInput, runs = 0, successes = 0): Skill {
  const content = normalizeSkill(input, { limits: true });
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, made++)).toISOString();
  return toSkill(content, 1, at, at, { executions: runs, successes, failures: runs - successes, timeouts: 0, totalDurationMs: runs, p95DurationMs: 1, lastExecutedAt: runs ? at : null });
}

function rank(query: string, skills: Skill[]): string[] {
  const vocabulary = vocabularyOfSkills(skills);
  return rankCandidates(planSearch(query, vocabulary), skills.map((s) => ({ skill: s, score: 0 })), 10, vocabulary).map((s) => s.id);
}

const filler = Array.from({ length: 8 }, (_, i) => skill({ id: `filler_${i}`, name: `Filler ${i}`, description: `Does unrelated chore number ${i}` }));

describe("ranking", () => {
  it("an exact match beats a synonym's", () => {
    const exact = skill({ id: "exact", name: "Erase files", description: "Erases the given files" });
    const synonym = skill({ id: "synonym", name: "Delete files", description: "Deletes the given files" });
    expect(rank("erase files", [synonym, exact, ...filler]).slice(0, 2)).toEqual(["exact", "synonym"]);
    expect(rank("delete files", [synonym, exact, ...filler]).slice(0, 2)).toEqual(["synonym", "exact"]);
  });

  it("a synonym finds a skill that does not use the query's word", () => {
    expect(rank("erase a picture", [skill({ id: "img", name: "Remove image background", description: "Cuts the subject out of an image" }), ...filler])[0]).toBe("img");
  });

  it("a typo finds the skill, below a skill that has the word right", () => {
    const skills = [skill({ id: "dl", name: "Download file", description: "Downloads a URL to disk" }), ...filler];
    expect(rank("dowload file", skills)[0]).toBe("dl");
  });

  it("a skill that covers more of the query, or holds its words together in the name, comes first", () => {
    const both = skill({ id: "both", name: "Upload to S3 with retry", description: "Uploads large files with retries" });
    const one = skill({ id: "one", name: "Upload to S3", description: "Uploads a file" });
    expect(rank("upload to s3 with retry", [one, both, ...filler]).slice(0, 2)).toEqual(["both", "one"]);
  });

  it("reliability breaks a tie between equally relevant skills", () => {
    const input = { name: "Send an email", description: "Sends an email over SMTP" };
    const proven = skill({ id: "b_proven", ...input }, 40, 39);
    const fresh = skill({ id: "a_fresh", ...input });
    const failing = skill({ id: "c_failing", ...input }, 10, 1);
    expect(rank("send email", [fresh, failing, proven, ...filler]).slice(0, 3)).toEqual(["b_proven", "a_fresh", "c_failing"]);
  });

  it("a never-run skill is not buried: a clearly better match beats a proven weaker one", () => {
    const fresh = skill({ id: "fresh", name: "Merge PDF files", description: "Merges several PDF files into one" });
    const proven = skill({ id: "proven", name: "Read PDF text", description: "Extracts the text of a PDF" }, 500, 500);
    expect(rank("merge pdf files", [proven, fresh, ...filler])[0]).toBe("fresh");
  });

  it("reliability() - never run is average (0.5), not failed", () => {
    expect(reliability(skill({ id: "x", name: "x", description: "x" }))).toBe(0.5);
    expect(reliability(skill({ id: "y", name: "y", description: "y" }, 1, 1))).toBeGreaterThan(0.5);
    expect(reliability(skill({ id: "z", name: "z", description: "z" }, 4, 0))).toBeLessThan(0.5);
  });

  it("scoreCandidates() - ranks without a vocabulary too (document frequencies from the candidates)", () => {
    const skills = [skill({ id: "t", name: "Extract HTML table", description: "Parses a table into rows" }), ...filler];
    const scored = scoreCandidates(planSearch("extract table"), skills.map((s) => ({ skill: s, score: 1 })));
    expect(scored.sort((a, b) => b.score - a.score)[0]?.skill.id).toBe("t");
  });
});
