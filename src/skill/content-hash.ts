import { createHash, hash } from "node:crypto";
import type { Json } from "./skill.js";

/**
 * Canonical JSON (RFC 8785) of a JSON value: object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings as `JSON.stringify` writes them (which RFC 8785 adopts).
 * Sorting once and stringifying once is ~6x faster than concatenating recursively.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * `value` with every object's keys in sorted order. Parts already in order are returned as
 * they are, not copied: `normalizeSkill` builds skills that way, so hashing one allocates
 * nothing before the one `JSON.stringify`.
 */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const child = sortKeys(value[i]);
      if (child !== value[i]) (copy ??= value.slice())[i] = child;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let inOrder = true;
  for (let i = 1; i < keys.length && inOrder; i++) inOrder = (keys[i - 1] as string) < (keys[i] as string);
  if (inOrder) {
    let copy: Record<string, unknown> | undefined;
    for (const key of keys) {
      const child = sortKeys(object[key]);
      if (child !== object[key]) (copy ??= { ...object })[key] = child;
    }
    return copy ?? object;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const child = object[key];
    // JSON.stringify leaves out undefined members anyway; leaving them out here keeps the copy small.
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}

/** Hex sha256 of a string (`crypto.hash` where Node has it: one call instead of three). */
export function sha256Hex(text: string): string {
  return typeof hash === "function" ? hash("sha256", text, "hex") : createHash("sha256").update(text).digest("hex");
}

/** Hex sha256 of the canonical JSON of `value`: equal content, equal hash, in any store. */
export function contentHash(value: Json | object): string {
  return sha256Hex(canonicalJson(value));
}
