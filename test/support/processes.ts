import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));

/** A child process running `test/support/child.mjs`, with its JSON events as they come. */
export interface Child {
  process: ChildProcess;
  /** Resolves with the first event that satisfies `match`. */
  next(match?: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited, with its exit code. */
  exited: Promise<number | null>;
  send(line: string): void;
}

/** Starts a child that acts on the store with `command`. */
export function startChild(command: string, store: string, ...args: string[]): Child {
  const child = spawn(process.execPath, [CHILD, command, store, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const events: Record<string, unknown>[] = [];
  const waiters: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
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
    next(match = () => true) {
      const seen = events.find(match);
      if (seen) {
        events.splice(events.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before the event came; stderr: ${stderr}`)));
      });
    },
  };
}
