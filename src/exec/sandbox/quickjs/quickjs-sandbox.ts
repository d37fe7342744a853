/**
 * The QuickJS engine: QuickJS compiled to WASM, in a warm pool of worker threads. Portable (no
 * native addon) but interpreted, so far slower than V8 on CPU-heavy code.
 */
import { MemberPool } from "../member-pool.js";
import { resolveEntryScript } from "../../../entry-script.js";
import type { SandboxOptions } from "../sandbox.js";
import { spawnQuickJsWorker } from "./quickjs-thread.js";
import { compiledQuickJsWasm } from "./quickjs-wasm.js";

/**
 * Starts a pool of `options.poolSize` QuickJS worker threads and resolves once all are warm.
 *
 * @example
 * const sandbox = await createQuickJsSandbox({ memoryLimitMb: 64, maxResultBytes: 1 << 20, poolSize: 2 });
 * const outcome = await sandbox.run({ code: "async (c) => c.a + 1", contextJson: '{"a":1}', toolNames: [],
 *   deadline: performance.now() + 1000, callTool: async () => "null" });
 * await sandbox.close();
 */
export async function createQuickJsSandbox(options: SandboxOptions): Promise<MemberPool> {
  const script = await resolveEntryScript(import.meta.url, "quickjs-worker");
  return MemberPool.started({
    engine: "quickjs",
    size: options.poolSize,
    memberNoun: "worker",
    spawn: spawnQuickJsWorker(script, { memoryLimitMb: options.memoryLimitMb, maxResultBytes: options.maxResultBytes, wasmModule: await compiledQuickJsWasm() }),
  });
}
