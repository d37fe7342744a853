/** The Skill model: what callers add, what they get back, and its statistics. */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = { [key: string]: Json };

/** What you add. Only `id`, `name` and `description` are required. */
export interface SkillInput {
  /** 1-128 chars of `[A-Za-z0-9_.-]`, starting alphanumeric, e.g. `"nav_login_generic"`. */
  id: string;
  /** Human title, 1-200 chars. */
  name: string;
  /** What it does and when to use it (searched); 1-10,000 chars. */
  description: string;
  /** @default "general" */
  category?: string;
  /** @default [] */
  tags?: string[];
  /** JSON Schema of the run context; checked before every run. */
  parameters?: JsonSchema;
  /** JavaScript source of an async function: `async (context, tools) => result`. */
  code?: string;
  /** A stored workflow: skill ids run in order (they may be saved later). */
  steps?: string[];
  /** Markdown guidance for an LLM (the body of a SKILL.md); not executable. */
  instructions?: string;
  /** Other text files of a SKILL.md folder: relative path → UTF-8 content. */
  files?: Record<string, string>;
  /** Free-form JSON metadata. */
  metadata?: Record<string, Json>;
}

/** A `SkillInput` with its defaults applied: the content that is versioned and hashed. */
export interface SkillContent extends SkillInput {
  category: string;
  tags: string[];
  metadata: Record<string, Json>;
}

/** A skill's track record. Not part of a version. */
export interface SkillStats {
  /** = successes + failures */
  executions: number;
  successes: number;
  failures: number;
  /** The failures that hit the deadline (a subset of failures). */
  timeouts: number;
  /** successes / executions, 0 when never run. */
  successRate: number;
  avgDurationMs: number;
  p95DurationMs: number;
  lastExecutedAt?: string;
}

/** What you get back: read-only (frozen); copy it before changing it. */
export interface Skill extends Readonly<SkillContent> {
  /** 1 on first save, +1 on every saved change (continues after delete + re-add). */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly stats: Readonly<SkillStats>;
}

/** One saved version of a skill. */
export interface SkillVersion {
  skillId: string;
  version: number;
  savedAt: string;
  /** Hex sha256 of the canonical JSON (RFC 8785) of the normalised content. */
  hash: string;
}

/** A version with its full content and who saved it. */
export interface VersionRecord extends SkillVersion {
  skill: SkillInput;
  author?: string;
  message?: string;
}

/** Turns texts into vectors for optional semantic search. */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Statistics of a skill that was never run. */
export const EMPTY_STATS: Readonly<SkillStats> = Object.freeze({
  executions: 0,
  successes: 0,
  failures: 0,
  timeouts: 0,
  successRate: 0,
  avgDurationMs: 0,
  p95DurationMs: 0,
});
