import type { Skill, SkillContent, VersionRecord } from "../../skill/skill.js";
import { NEVER_RUN, toSkill, type StoredStats } from "../skill-record.js";

/** How the embedded store reads its rows into skills and version records. */

/**
 * The columns of a skill row as read: the counters come as one JSON array, or NULL for a skill never run.
 * Each column read costs about 0.15-0.4 µs, so five columns instead of eleven took about a
 * sixth off an uncached read. (This SQLite writes JSON reals with 17 digits: they read back exactly.)
 */
export const SKILL_COLUMNS =
  "s.content, s.version, s.created_at, s.updated_at, " +
  "iif(s.executions = 0, NULL, json_array(s.executions, s.successes, s.failures, s.timeouts, s.total_duration_ms, s.p95_duration_ms, s.last_executed_at))";
/** A row read with `SKILL_COLUMNS` (raw: an array). */
export type SkillRow = [string, number, string, string, string | null];
type Counters = [number, number, number, number, number, number, string | null];
/** The columns of a version row as read: a current version's `''` content is taken from its skill row. */
export const VERSION_COLUMNS =
  "v.skill_id, v.version, v.saved_at, v.hash, v.author, v.message, iif(v.content = '', (SELECT content FROM skills WHERE id = v.skill_id), v.content) AS content";
/** A row read with `VERSION_COLUMNS`. */
export type VersionRow = { skill_id: string; version: number; saved_at: string; hash: string; author: string | null; message: string | null; content: string };

/** The skill of a row read with `SKILL_COLUMNS`. */
export function rowToSkill(row: SkillRow): Skill {
  const [content, version, createdAt, updatedAt, counters] = row;
  return toSkill(JSON.parse(content) as SkillContent, version, createdAt, updatedAt, counters === null ? NEVER_RUN : storedStats(counters));
}

function storedStats(json: string): StoredStats {
  const [executions, successes, failures, timeouts, totalDurationMs, p95DurationMs, lastExecutedAt] = JSON.parse(json) as Counters;
  return { executions, successes, failures, timeouts, totalDurationMs, p95DurationMs, lastExecutedAt };
}

/** The version record of a row read with `VERSION_COLUMNS`. */
export function toVersionRecord(row: VersionRow): VersionRecord {
  const record: VersionRecord = { skillId: row.skill_id, version: row.version, savedAt: row.saved_at, hash: row.hash, skill: JSON.parse(row.content) };
  if (row.author !== null) record.author = row.author;
  if (row.message !== null) record.message = row.message;
  return record;
}
