/**
 * Picks and starts a sandbox engine.
 */
import { createIsolatedVmSandbox, isIsolatedVmInstalled, probeIsolatedVm } from "./isolated-vm/ivm-sandbox.js";
import { createQuickJsSandbox } from "./quickjs/quickjs-sandbox.js";
import type { Sandbox, SandboxEngineName, SandboxOptions } from "./sandbox.js";

let availability: Promise<boolean> | undefined;

/**
 * Whether isolated-vm is installed and really starts here: forks one child process (with
 * `--no-node-snapshot`) that loads it and prepares a context. The answer is cached per process.
 *
 * @example
 * const engine = (await isIsolatedVmAvailable()) ? "isolated-vm" : "quickjs";
 */
export function isIsolatedVmAvailable(): Promise<boolean> {
  availability ??= probeIsolatedVm();
  return availability;
}

/**
 * Starts a warm pool of sandboxes and resolves once its members are ready.
 *
 * - `"isolated-vm"`: V8 isolates in child processes (fast); rejects if isolated-vm is missing or
 *   does not start here.
 * - `"quickjs"`: QuickJS (WASM) in worker threads (portable, slower on CPU-heavy code).
 * - `"auto"`: isolated-vm when it is installed and starts, else QuickJS.
 *
 * @example
 * const sandbox = await createSandbox("auto", { memoryLimitMb: 64, maxResultBytes: 1_048_576, poolSize: 4 });
 * const outcome = await sandbox.run({
 *   code: "async (context, tools) => (await tools.double(context.n)) + 1",
 *   contextJson: JSON.stringify({ n: 20 }),
 *   toolNames: ["double"],
 *   deadline: performance.now() + 1_000,
 *   callTool: async (_name, argsJson) => JSON.stringify((JSON.parse(argsJson) as number[])[0]! * 2),
 * }); // { ok: true, resultJson: "41", logs: [] }
 * await sandbox.close();
 */
export async function createSandbox(engine: "auto" | SandboxEngineName, options: SandboxOptions): Promise<Sandbox> {
  switch (engine) {
    case "quickjs":
      return createQuickJsSandbox(options);
    case "isolated-vm":
      try {
        return await createIsolatedVmSandbox(options);
      } catch (error) {
        throw new Error(`the "isolated-vm" sandbox engine is not available: ${error instanceof Error ? error.message : String(error)}; use the "quickjs" engine or "auto"`, { cause: error });
      }
    case "auto": {
      if (isIsolatedVmInstalled()) {
        try {
          const sandbox = await createIsolatedVmSandbox(options);
          availability ??= Promise.resolve(true);
          return sandbox;
        } catch {
          availability = Promise.resolve(false);
        }
      }
      return createQuickJsSandbox(options);
    }
    default:
      throw new Error(`unknown sandbox engine ${JSON.stringify(engine)}; expected "auto", "isolated-vm" or "quickjs"`);
  }
}
