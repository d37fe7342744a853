/**
 * The isolated-vm engine: V8 isolates in a warm pool of child processes.
 */
import { createRequire } from "node:module";
import { MemberPool } from "../member-pool.js";
import { resolveEntryScript } from "../../../entry-script.js";
import type { SandboxOptions } from "../sandbox.js";
import { spawnIvmProcess } from "./ivm-process.js";

/** Whether the `isolated-vm` package can be found from here (it may still fail to load). */
export function isIsolatedVmInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("isolated-vm");
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a pool of `options.poolSize` isolated-vm child processes and resolves once all are warm.
 * Rejects when isolated-vm is not installed or its processes keep failing to start.
 *
 * @example
 * const sandbox = await createIsolatedVmSandbox({ memoryLimitMb: 64, maxResultBytes: 1 << 20, poolSize: 2 });
 * const outcome = await sandbox.run({ code: "async (c) => c.a + 1", contextJson: '{"a":1}', toolNames: [],
 *   deadline: performance.now() + 1000, callTool: async () => "null" });
 * await sandbox.close();
 */
export async function createIsolatedVmSandbox(options: SandboxOptions): Promise<MemberPool> {
  if (!isIsolatedVmInstalled()) throw new Error('the "isolated-vm" package is not installed; install isolated-vm@5 or use the "quickjs" engine');
  return startPool(options);
}

/** Forks one isolated-vm child and waits until it is warm: true when isolated-vm really works here. */
export async function probeIsolatedVm(): Promise<boolean> {
  if (!isIsolatedVmInstalled()) return false;
  try {
    await (await startPool({ memoryLimitMb: 16, maxResultBytes: 1024, poolSize: 1 })).close();
    return true;
  } catch {
    return false;
  }
}

async function startPool(options: SandboxOptions): Promise<MemberPool> {
  const script = await resolveEntryScript(import.meta.url, "ivm-child");
  return MemberPool.started({
    engine: "isolated-vm",
    size: options.poolSize,
    memberNoun: "process",
    spawn: spawnIvmProcess(script, { memoryLimitMb: options.memoryLimitMb, maxResultBytes: options.maxResultBytes }),
  });
}
