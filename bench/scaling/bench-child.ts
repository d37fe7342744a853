import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A benchmark script running in a child process (TypeScript through tsx), with its JSON events. */
export interface BenchChild {
  process: ChildProcess;
  /** Resolves with the first event (one JSON line on its stdout) that satisfies `match`. */
  next(match?: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** Kills it if it still runs. */
  kill(): void;
}

/**
 * Starts `node --import tsx --expose-gc SCRIPT ...args` (the script a `file:` URL or path), the
 * way the tests' `startChild` starts theirs: stdout carries one JSON event per line, stderr is
 * kept for the error message if it dies first.
 *
 * @example
 * ```ts
 * const child = startBenchChild(new URL("./agent-child.ts", import.meta.url), file, "getSkill");
 * await child.next((e) => e["ready"] === true);
 * ```
 */
export function startBenchChild(script: URL, ...args: string[]): BenchChild {
  const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", script.pathname, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const events: Record<string, unknown>[] = [];
  const waiters: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not an event: a stray log line
    }
    const waiter = waiters.find((w) => w.match(event));
    if (!waiter) return void events.push(event);
    waiters.splice(waiters.indexOf(waiter), 1);
    waiter.resolve(event);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    process: child,
    exited,
    send: (line) => child.stdin?.write(`${line}\n`),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
    next(match = () => true) {
      const seen = events.find(match);
      if (seen) {
        events.splice(events.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`bench child ${script.pathname} exited (${code}) before the event came; stderr: ${stderr.slice(-2000)}`)));
      });
    },
  };
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
