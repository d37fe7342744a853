/**
 * Host side of a QuickJS member: starts the worker thread that runs {@link QuickJsRunner}.
 */
import { Worker } from "node:worker_threads";
import type { EntryScript } from "../../../entry-script.js";
import { memberEnv } from "../member-env.js";
import type { MemberEvents, MemberHandle, SpawnMember } from "../member.js";
import { isMemberMessage } from "../protocol.js";
import type { QuickJsWorkerData } from "./quickjs-worker.js";

/** A worker's V8 stack, in MB; QuickJS's own stack limit (1 MB) must stay well inside it. */
const WORKER_STACK_MB = 4;

/**
 * Returns a spawner of QuickJS worker threads. Workers are unref'd, get an empty environment
 * copy, and are stopped with `terminate()`, which also interrupts WASM code.
 */
export function spawnQuickJsWorker(script: EntryScript, config: QuickJsWorkerData): SpawnMember {
  return (events: MemberEvents): MemberHandle => {
    const worker = new Worker(script.url, { workerData: config, env: memberEnv(), execArgv: [], resourceLimits: { stackSizeMb: WORKER_STACK_MB }, stdout: true, stderr: true });
    // stdout/stderr: true keeps the worker's own output (an engine abort message) off the host's
    // stdio. They are left unread on purpose: a flowing stream would keep the host alive.
    let failure = "";
    worker.on("message", (message: unknown) => {
      if (isMemberMessage(message)) events.message(message);
    });
    worker.on("error", (error) => {
      failure = error.message;
    });
    worker.once("exit", (code) => events.exit(failure ? `exit code ${code}: ${failure}` : `exit code ${code}`));
    // After the listeners: adding a "message" listener refs the worker again.
    worker.unref();
    return {
      send(message) {
        worker.postMessage(message);
      },
      kill() {
        void worker.terminate();
      },
    };
  };
}
