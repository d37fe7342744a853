import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A child Node.js process that reports events as JSON lines on its stdout. */
export interface JsonLinesChild {
  process: ChildProcess;
  /** Resolves with the first event that satisfies `match`; rejects if the child exits first. */
  next(match?: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited, with its exit code. */
  exited: Promise<number | null>;
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** Kills it (SIGKILL) if it still runs. */
  kill(): void;
}

/**
 * Starts `node ...nodeArgs` and collects its events (lines that are not JSON are left out);
 * stderr is kept for the error when it dies before an awaited event. Used by the tests'
 * multi-process cases and by the benchmarks' child processes.
 */
export function startJsonLinesChild(nodeArgs: readonly string[], name: string): JsonLinesChild {
  const child = spawn(process.execPath, [...nodeArgs], { stdio: ["pipe", "pipe", "pipe"] });
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
        void exited.then((code) => reject(new Error(`${name} exited (${code}) before the event came; stderr: ${stderr.slice(-2000)}`)));
      });
    },
  };
}
