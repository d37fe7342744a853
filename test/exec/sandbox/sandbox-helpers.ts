/**
 * Shared helpers of the sandbox tests: start an engine's pool, build runs, time kills.
 */
import { isIsolatedVmAvailable } from "../../../src/exec/sandbox/create-sandbox.js";
import { createIsolatedVmSandbox } from "../../../src/exec/sandbox/isolated-vm/ivm-sandbox.js";
import type { MemberPool } from "../../../src/exec/sandbox/member-pool.js";
import { createQuickJsSandbox } from "../../../src/exec/sandbox/quickjs/quickjs-sandbox.js";
import type { SandboxEngineName, SandboxOptions, SandboxOutcome, SandboxRun } from "../../../src/exec/sandbox/sandbox.js";

/** Engines to test: both when isolated-vm works here, else QuickJS only. */
export const ENGINES: readonly SandboxEngineName[] = (await isIsolatedVmAvailable()) ? ["isolated-vm", "quickjs"] : ["quickjs"];

/** Starts a pool of one engine (the concrete pool, which also offers `whenReady()` and `stats()`). */
export function startPool(engine: SandboxEngineName, options: Partial<SandboxOptions> = {}): Promise<MemberPool> {
  const full: SandboxOptions = { memoryLimitMb: 32, maxResultBytes: 1_048_576, poolSize: 2, ...options };
  return engine === "isolated-vm" ? createIsolatedVmSandbox(full) : createQuickJsSandbox(full);
}

/** Host tools for the runs: JSON in, JSON out, as the executor gives them. */
export type HostTools = Record<string, (...args: never[]) => unknown>;

/** Options of {@link makeRun}. */
export interface RunSpec {
  context?: unknown;
  tools?: HostTools;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Builds a {@link SandboxRun} from code, a context value and host tools. */
export function makeRun(code: string, spec: RunSpec = {}): SandboxRun {
  const tools = spec.tools ?? {};
  const run: SandboxRun = {
    code,
    contextJson: JSON.stringify(spec.context ?? {}),
    toolNames: Object.keys(tools),
    deadline: performance.now() + (spec.timeoutMs ?? 5_000),
    async callTool(name, argsJson) {
      const fn = tools[name];
      if (!fn) throw new Error(`no tool ${name}`);
      const result = await fn(...(JSON.parse(argsJson) as never[]));
      return JSON.stringify(result === undefined ? null : result);
    },
  };
  if (spec.signal) run.signal = spec.signal;
  return run;
}

/**
 * Runs and reports how late the outcome came after the deadline (ms), and the worst delay of the
 * host's own event loop meanwhile (a 5 ms ticker): on a loaded machine the host itself may not be
 * scheduled on time, which no sandbox can make up for.
 */
export async function timedRun(pool: MemberPool, run: SandboxRun): Promise<{ outcome: SandboxOutcome; lateMs: number; loopLagMs: number }> {
  let last = performance.now();
  let loopLagMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    loopLagMs = Math.max(loopLagMs, now - last - 5);
    last = now;
  }, 5);
  try {
    const outcome = await pool.run(run);
    return { outcome, lateMs: performance.now() - run.deadline, loopLagMs };
  } finally {
    clearInterval(ticker);
  }
}

/** The parsed result of a successful outcome; throws with the outcome otherwise. */
export function resultOf(outcome: SandboxOutcome): unknown {
  if (!outcome.ok) throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.resultJson) as unknown;
}

/** Runs `code` and returns its parsed result. */
export async function runValue(pool: MemberPool, code: string, spec: RunSpec = {}): Promise<unknown> {
  return resultOf(await pool.run(makeRun(code, spec)));
}
