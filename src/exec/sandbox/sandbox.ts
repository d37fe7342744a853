/**
 * The seam between the executor and the engines that run untrusted skill code.
 * Engines: isolated-vm in child processes, QuickJS (WASM) in worker threads.
 */

/** Which engine runs skill code. `"auto"`: isolated-vm when it is installed and loads, else QuickJS. */
export type SandboxEngineName = "isolated-vm" | "quickjs";

/** Options of a sandbox pool. */
export interface SandboxOptions {
  /** Memory limit of one run's heap, in MB. @default 64 */
  memoryLimitMb: number;
  /** Largest result (UTF-8 bytes of its JSON) a run may return. @default 1_048_576 */
  maxResultBytes: number;
  /** Warm members kept ready (processes or workers). @default a small number sized to the CPUs */
  poolSize: number;
}

/** One run of a skill's code. */
export interface SandboxRun {
  /** Source of an async function expression: `async (context, tools) => result`. */
  code: string;
  /** The JSON context given to the function (already a JSON string). */
  contextJson: string;
  /** Names of the tools the skill may call as `await tools.name(...args)`. */
  toolNames: readonly string[];
  /** Absolute deadline (`performance.now()` clock of the host); the run is killed at this moment. */
  deadline: number;
  /** Aborts the run (the member running it is killed). */
  signal?: AbortSignal;
  /** Runs a host tool; args and result cross as JSON. A rejection becomes an error inside the skill. */
  callTool(name: string, argsJson: string): Promise<string>;
}

/** How a run ended. `resultJson` is the JSON text of the skill's result (`"null"` for undefined). */
export type SandboxOutcome =
  | { ok: true; resultJson: string; logs: string[] }
  | { ok: false; kind: "error"; message: string; stack?: string; logs: string[] }
  | { ok: false; kind: "timeout" | "memory" | "result-size" | "aborted"; message: string; logs: string[] };

/** A warm pool of isolated runners. Runs are isolated from each other. */
export interface Sandbox {
  readonly engine: SandboxEngineName;
  /** Runs code; never rejects for anything the skill did (that is an outcome). */
  run(run: SandboxRun): Promise<SandboxOutcome>;
  /** Kills every member; later runs reject. */
  close(): Promise<void>;
}
