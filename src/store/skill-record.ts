import { EMPTY_STATS, type Skill, type SkillContent, type SkillStats } from "../skill/skill.js";

/** The stored counters of a skill, as both stores keep them. */
export interface StoredStats {
  executions: number;
  successes: number;
  failures: number;
  timeouts: number;
  totalDurationMs: number;
  p95DurationMs: number;
  lastExecutedAt: string | null;
}

/**
 * Builds the frozen `Skill` callers get from stored content (parsed from the canonical JSON
 * a store saved, so it has only the fields of `SkillContent`), version, times and counters.
 */
export function toSkill(content: SkillContent, version: number, createdAt: string, updatedAt: string, counters: StoredStats): Skill {
  const skill = content as SkillContent & { version: number; createdAt: string; updatedAt: string; stats: SkillStats };
  skill.version = version;
  skill.createdAt = createdAt;
  skill.updatedAt = updatedAt;
  skill.stats = counters.executions === 0 ? EMPTY_STATS : statsOf(counters);
  // Only these fields hold objects; freezing them by name skips walking every string field.
  Object.freeze(skill.tags);
  deepFreeze(skill.metadata);
  if (skill.parameters) deepFreeze(skill.parameters);
  if (skill.steps) Object.freeze(skill.steps);
  if (skill.files) Object.freeze(skill.files);
  return Object.freeze(skill);
}

/** The counters of a skill that never ran (both stores' rows start so). */
export const NEVER_RUN: Readonly<StoredStats> = Object.freeze({
  executions: 0, successes: 0, failures: 0, timeouts: 0, totalDurationMs: 0, p95DurationMs: 0, lastExecutedAt: null,
});

function statsOf(counters: StoredStats): Readonly<SkillStats> {
  const stats: SkillStats = {
    executions: counters.executions,
    successes: counters.successes,
    failures: counters.failures,
    timeouts: counters.timeouts,
    successRate: counters.successes / counters.executions,
    avgDurationMs: counters.totalDurationMs / counters.executions,
    p95DurationMs: counters.p95DurationMs,
  };
  if (counters.lastExecutedAt !== null) stats.lastExecutedAt = counters.lastExecutedAt;
  return Object.freeze(stats);
}

/** Freezes an object graph built from JSON. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Object.values is several times faster than for…in on parsed JSON.
    for (const child of Object.values(value)) if (child !== null && typeof child === "object") deepFreeze(child);
  }
  return value;
}

/** Width of a duration bucket: each bucket spans 5 % more time than the one before. */
const BUCKET_STEP = Math.log(1.05);
/** Durations below this (ms) share the lowest bucket. */
const SHORTEST_MS = 0.001;

/**
 * The histogram bucket of a run's duration, on a log scale (negative below 1 ms). Stores
 * count runs per bucket with atomic increments; the p95 read from the buckets is within
 * 2.5 % of the exact value (for runs of at least 1 µs), and costs a few dozen rows instead
 * of sorting the recent runs on every run.
 */
export function durationBucket(durationMs: number): number {
  return Math.floor(Math.log(Math.max(SHORTEST_MS, durationMs)) / BUCKET_STEP);
}

/** The p95 of a duration histogram (`[bucket, runs]` in bucket order): the middle of the bucket holding it. */
export function p95FromBuckets(buckets: readonly (readonly [number, number])[]): number {
  const total = buckets.reduce((sum, [, runs]) => sum + runs, 0);
  if (total === 0) return 0;
  const rank = Math.ceil(0.95 * total);
  let seen = 0;
  for (const [bucket, runs] of buckets) {
    seen += runs;
    if (seen >= rank) return Math.exp((bucket + 0.5) * BUCKET_STEP);
  }
  return 0;
}
/** How many execution-log rows a store keeps (the oldest go first). */
export const EXECUTION_LOG_RETENTION = 100_000;
