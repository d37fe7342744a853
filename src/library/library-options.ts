import { InvalidArgumentError } from "../errors.js";
import type { SkillCacheOptions } from "../cache/skill-cache.js";
import type { Embedder } from "../skill/skill.js";

/** Options of the code sandbox. */
export interface SandboxSettings {
  /** Which engine runs skill code. @default "auto" (isolated-vm when it is installed and loads, else quickjs) */
  engine?: "auto" | "isolated-vm" | "quickjs";
  /** Memory limit of one run, in MB. @default 64 */
  memoryLimitMb?: number;
  /** Largest result a run may return, in bytes of JSON. @default 1_048_576 */
  maxResultBytes?: number;
  /** Warm sandboxes kept ready. @default the number of CPUs, at least 2 */
  poolSize?: number;
}

/** Options of `openSkillLibrary` and `getSkillLibrary`. */
export interface SkillLibraryOptions {
  /**
   * Where skills live: a file path or `sqlite:PATH` (embedded, WAL), `:memory:`, or
   * `postgres://…` / `postgresql://…` (`?schema=NAME` keeps libraries apart).
   * @default process.env.SKILL_LIBRARY_URL, else "./skills.db"
   */
  store?: string;
  /** Cache sizing, or `false` for no cache. @default { max: 100, ttlMs: 3_600_000 } */
  cache?: SkillCacheOptions | false;
  /** Timeout of a run when the call gives none, in ms. @default 30_000 */
  defaultTimeoutMs?: number;
  /** Sandbox settings. */
  sandbox?: SandboxSettings;
  /** Optional semantic search: vectors fused with the lexical ranking. */
  embedder?: Embedder;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  store: StoreLocation;
  cache: { max: number; ttlMs: number } | false;
  defaultTimeoutMs: number;
  sandbox: Required<SandboxSettings>;
  embedder: Embedder | undefined;
}

/** Where the store is: an embedded SQLite file, or a PostgreSQL URL. */
export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

const TOP_KEYS = ["store", "cache", "defaultTimeoutMs", "sandbox", "embedder"];
const CACHE_KEYS = ["max", "ttlMs"];
const SANDBOX_KEYS = ["engine", "memoryLimitMb", "maxResultBytes", "poolSize"];

/** Checks the options a caller gave and applies the defaults. Throws `InvalidArgumentError`. */
export function resolveOptions(options: SkillLibraryOptions = {}): ResolvedOptions {
  const raw = plainObject(options, "options");
  knownKeys(raw, TOP_KEYS, "options");
  const store = parseStoreLocation(raw["store"] ?? process.env["SKILL_LIBRARY_URL"] ?? "./skills.db");
  let cache: ResolvedOptions["cache"] = { max: 100, ttlMs: 3_600_000 };
  if (raw["cache"] === false) cache = false;
  else if (raw["cache"] !== undefined) {
    const c = plainObject(raw["cache"], "options.cache");
    knownKeys(c, CACHE_KEYS, "options.cache");
    cache = { max: positiveInt(c["max"], 100, "options.cache.max"), ttlMs: positiveNumber(c["ttlMs"], 3_600_000, "options.cache.ttlMs") };
  }
  const s = raw["sandbox"] === undefined ? {} : plainObject(raw["sandbox"], "options.sandbox");
  knownKeys(s, SANDBOX_KEYS, "options.sandbox");
  const engine = s["engine"] ?? "auto";
  if (engine !== "auto" && engine !== "isolated-vm" && engine !== "quickjs") {
    throw new InvalidArgumentError("options.sandbox.engine", `must be "auto", "isolated-vm" or "quickjs", got ${JSON.stringify(engine)}`);
  }
  const embedder = raw["embedder"] as Embedder | undefined;
  if (embedder !== undefined && (typeof embedder !== "object" || typeof embedder.embed !== "function")) {
    throw new InvalidArgumentError("options.embedder", "must be an object with id, dimensions and embed(texts)");
  }
  return {
    store,
    cache,
    defaultTimeoutMs: positiveNumber(raw["defaultTimeoutMs"], 30_000, "options.defaultTimeoutMs"),
    sandbox: {
      engine,
      memoryLimitMb: positiveNumber(s["memoryLimitMb"], 64, "options.sandbox.memoryLimitMb"),
      maxResultBytes: positiveInt(s["maxResultBytes"], 1_048_576, "options.sandbox.maxResultBytes"),
      poolSize: positiveInt(s["poolSize"], 0, "options.sandbox.poolSize"),
    },
    embedder,
  };
}

/** Reads a store string: a path, `sqlite:PATH`, `:memory:`, or a PostgreSQL URL. */
export function parseStoreLocation(value: unknown): StoreLocation {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidArgumentError("store", `must be a file path, "sqlite:PATH", ":memory:" or a postgres:// URL, got ${JSON.stringify(value)}`);
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new InvalidArgumentError("store", `"${redact(value)}" is not a valid PostgreSQL URL; use postgres://user:password@host:5432/database`);
    }
    return { kind: "postgres", url: value };
  }
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new InvalidArgumentError("store", `"${value}" names no file; use sqlite:./skills.db`);
    return { kind: "sqlite", path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new InvalidArgumentError("store", `"${redact(value)}" is not a supported store; use a file path, "sqlite:PATH", ":memory:" or postgres://…`);
  }
  return { kind: "sqlite", path: value };
}

/** A URL with its password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

function plainObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(name, `must be an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** Throws when an options object has a key not in `known`. */
export function knownKeys(raw: Record<string, unknown>, known: readonly string[], name: string): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${name}.${key}`, `unknown option; known options are ${known.join(", ")}`);
  }
}

function positiveNumber(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(name, `must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError(name, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}
