import { InvalidArgumentError } from "../errors.js";
import { knownKeys } from "./library-options.js";

/** Options of `searchSkills`. */
export interface SearchOptions {
  category?: string;
  /** A skill must have all of these tags. */
  tags?: string[];
  /** Leaves out skills below this success rate; `> 0` leaves out never-run skills. */
  minSuccessRate?: number;
  /** @default 10 */
  limit?: number;
  /** @default true */
  useCache?: boolean;
}

/** Options of `listSkills`. */
export interface ListOptions {
  category?: string;
  tags?: string[];
  /** @default 100 (no upper bound) */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/** Checks `searchSkills` arguments; throws `InvalidArgumentError`. */
export function checkSearchOptions(query: unknown, options: SearchOptions): void {
  if (typeof query !== "string") throw new InvalidArgumentError("query", `must be a string (use "" to list by filters), got ${typeof query}`);
  checkFilter(options, ["category", "tags", "minSuccessRate", "limit", "useCache"], "searchSkills options");
  const rate = options.minSuccessRate;
  if (rate !== undefined && (typeof rate !== "number" || !(rate >= 0 && rate <= 1))) {
    throw new InvalidArgumentError("minSuccessRate", `must be a number from 0 to 1, got ${JSON.stringify(rate)}`);
  }
  if (options.useCache !== undefined && typeof options.useCache !== "boolean") throw new InvalidArgumentError("useCache", "must be true or false");
}

/** Checks the options shared by search and listing. */
export function checkFilter(options: object, known: readonly string[], name: string): void {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError(name, "must be an object");
  const raw = options as Record<string, unknown>;
  knownKeys(raw, known, name);
  if (raw["category"] !== undefined && typeof raw["category"] !== "string") throw new InvalidArgumentError("category", "must be a string");
  const tags = raw["tags"];
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string"))) {
    throw new InvalidArgumentError("tags", "must be an array of strings");
  }
  for (const key of ["limit", "offset"]) {
    const value = raw[key];
    const min = key === "limit" ? 1 : 0;
    if (value !== undefined && value !== Infinity && (typeof value !== "number" || !Number.isInteger(value) || value < min)) {
      throw new InvalidArgumentError(key, `must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    }
  }
}

/** Refuses an id that is not a non-empty string. */
export function checkId(id: unknown): void {
  if (typeof id !== "string" || id === "") throw new InvalidArgumentError("id", `must be a non-empty string, got ${JSON.stringify(id)}`);
}

/** Refuses an `expectedVersion` that is not a whole number ≥ 0. */
export function checkExpectedVersion(expected: unknown): void {
  if (expected !== undefined && (typeof expected !== "number" || !Number.isInteger(expected) || expected < 0)) {
    throw new InvalidArgumentError("expectedVersion", `must be a whole number ≥ 0 (0 = must not exist yet), got ${JSON.stringify(expected)}`);
  }
}
