/**
 * Option parsers for commander. They throw commander's `InvalidArgumentError`, so a bad
 * value is a usage error (exit code 2) with commander's own message.
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";

/** A whole number ≥ 1 (`--limit`, `--timeout`). */
export function positiveInt(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError("must be a whole number ≥ 1.");
  return number;
}

/** A rate from 0 to 1 (`--min-success-rate`). */
export function rate(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !(number >= 0 && number <= 1)) throw new InvalidArgumentError("must be a number from 0 to 1, e.g. 0.8.");
  return number;
}

/** Collects a repeatable option into a list (`--tag a --tag b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A JSON object given inline (`'{"user":"ada"}'`) or read from a file (`@context.json`).
 *
 * @example
 * jsonObject('{"a":1}'); // { a: 1 }
 */
export function jsonObject(value: string): Record<string, unknown> {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`is not valid JSON (${error instanceof Error ? error.message : String(error)}); give a JSON object or @file.json.`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidArgumentError("must be a JSON object, e.g. '{\"user\":\"ada\"}'.");
  return parsed as Record<string, unknown>;
}
