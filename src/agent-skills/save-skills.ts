/**
 * Saves many candidate skills in one transaction and reports, per skill, whether it was
 * added, updated (a new version), unchanged (same hash: nothing saved) or refused.
 */
import type { SkillLibrary } from "../library/skill-library.js";
import { contentHash } from "../skill/content-hash.js";
import type { SkillInput } from "../skill/skill.js";
import { normalizeSkill, skillProblems } from "../skill/validate-skill.js";

/** A skill to save and where it came from (a folder name, `file.json[2]`, …). */
export interface SaveCandidate {
  source: string;
  skill: SkillInput;
}

/** One saved (or unchanged) skill. */
export interface SavedSkill {
  id: string;
  source: string;
  /** The version now stored. */
  version: number;
}

/** One refused skill and every reason. */
export interface RefusedSkill {
  source: string;
  id?: string;
  problems: string[];
}

/** The outcome of `saveSkills`. */
export interface SaveReport {
  added: SavedSkill[];
  updated: SavedSkill[];
  unchanged: SavedSkill[];
  refused: RefusedSkill[];
}

/** The library methods `saveSkills` needs. */
export type SkillSaver = Pick<SkillLibrary, "getVersion" | "batchAddSkills">;

/**
 * Validates every candidate (all problems listed), skips those whose content hash equals
 * the stored one, and saves the rest with one `batchAddSkills` call (one transaction).
 * Two candidates with the same id: the second is refused.
 *
 * @example
 * const report = await saveSkills(library, [{ source: "a.json", skill }]);
 * report.added; // [{ id: "hello", source: "a.json", version: 1 }]
 */
export async function saveSkills(library: SkillSaver, candidates: readonly SaveCandidate[]): Promise<SaveReport> {
  const report: SaveReport = { added: [], updated: [], unchanged: [], refused: [] };
  const seen = new Map<string, string>();
  const changed: { candidate: SaveCandidate; id: string; isNew: boolean }[] = [];
  for (const candidate of candidates) {
    const raw = candidate.skill as unknown as Record<string, unknown> | null;
    const id = typeof raw?.["id"] === "string" ? (raw["id"] as string) : undefined;
    const problems = skillProblems(candidate.skill).map((p) => `${p.path || "(skill)"}: ${p.message}`);
    if (id !== undefined && seen.has(id)) problems.push(`id: "${id}" is also used by ${seen.get(id)}`);
    if (problems.length > 0 || id === undefined) {
      report.refused.push({ source: candidate.source, ...(id === undefined ? {} : { id }), problems });
      continue;
    }
    seen.set(id, candidate.source);
    const current = await library.getVersion(id);
    if (current && current.hash === contentHash(normalizeSkill(candidate.skill))) {
      report.unchanged.push({ id, source: candidate.source, version: current.version });
    } else {
      changed.push({ candidate, id, isNew: current === undefined });
    }
  }
  if (changed.length === 0) return report;
  const outcome = await library.batchAddSkills(changed.map((c) => c.candidate.skill));
  for (const { candidate, id, isNew } of changed) {
    if (outcome[id] === false) {
      report.refused.push({ source: candidate.source, id, problems: ["the library refused the skill"] });
      continue;
    }
    const version = (await library.getVersion(id))?.version ?? 0;
    (isNew ? report.added : report.updated).push({ id, source: candidate.source, version });
  }
  return report;
}
