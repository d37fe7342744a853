import type { Skill, SkillContent, SkillStats } from "../skill/skill.js";

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

/** Builds the frozen `Skill` callers get from stored content, version, times and counters. */
export function toSkill(content: SkillContent, version: number, createdAt: string, updatedAt: string, counters: StoredStats): Skill {
  const stats: SkillStats = {
    executions: counters.executions,
    successes: counters.successes,
    failures: counters.failures,
    timeouts: counters.timeouts,
    successRate: counters.executions === 0 ? 0 : counters.successes / counters.executions,
    avgDurationMs: counters.executions === 0 ? 0 : counters.totalDurationMs / counters.executions,
    p95DurationMs: counters.p95DurationMs,
  };
  if (counters.lastExecutedAt !== null) stats.lastExecutedAt = counters.lastExecutedAt;
  const skill = content as SkillContent & { version: number; createdAt: string; updatedAt: string; stats: SkillStats };
  skill.version = version;
  skill.createdAt = createdAt;
  skill.updatedAt = updatedAt;
  skill.stats = Object.freeze(stats);
  return deepFreeze(skill);
}

/** Freezes an object graph built from JSON. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** The p95 of a list of durations (nearest-rank). 0 for an empty list. */
export function percentile95(durations: readonly number[]): number {
  if (durations.length === 0) return 0;
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
}

/** How many recent runs of a skill its p95 is computed over. */
export const P95_WINDOW = 1000;
/** How many execution-log rows a store keeps (the oldest go first). */
export const EXECUTION_LOG_RETENTION = 100_000;
