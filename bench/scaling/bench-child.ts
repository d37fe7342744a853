import { startJsonLinesChild, type JsonLinesChild } from "../../test/support/json-lines-child.js";

/** A benchmark script running in a child process (TypeScript through tsx), with its JSON events. */
export type BenchChild = JsonLinesChild;

/**
 * Starts `node --import tsx --expose-gc SCRIPT ...args` (the script a `file:` URL), the way
 * the tests start theirs: stdout carries one JSON event per line.
 *
 * @example
 * ```ts
 * const child = startBenchChild(new URL("./agent-child.ts", import.meta.url), file, "getSkill");
 * await child.next((e) => e["ready"] === true);
 * ```
 */
export function startBenchChild(script: URL, ...args: string[]): BenchChild {
  return startJsonLinesChild(["--import", "tsx", "--expose-gc", script.pathname, ...args], `bench child ${script.pathname}`);
}

/** Prints one event for the parent (a JSON line on stdout). */
export function say(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Runs a full garbage collection (the child runs with --expose-gc), twice to settle weak refs. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}
