/**
 * Entry script of a QuickJS pool member: a worker thread; `workerData` is a {@link QuickJsWorkerData}.
 * Each worker instantiates its own QuickJS (its own WASM memory) from the module the host compiled
 * once, so a failure in one worker cannot corrupt another.
 */
import { parentPort, workerData } from "node:worker_threads";
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC } from "quickjs-emscripten";
import { lowerWorkerThreadPriority } from "../member-priority.js";
import { isHostMessage, type MemberConfig, type MemberMessage } from "../protocol.js";
import { QuickJsRunner } from "./quickjs-runner.js";
import { wasmApi, type CompiledWasm } from "./quickjs-wasm.js";

/** What the host passes in `workerData`. */
export interface QuickJsWorkerData extends MemberConfig {
  /** The QuickJS WebAssembly module, compiled once by the host. */
  wasmModule: CompiledWasm;
}

const port = parentPort;
if (!port) throw new Error("quickjs-worker.js must run in a worker thread");
lowerWorkerThreadPriority();

function send(message: MemberMessage): void {
  port?.postMessage(message);
}

function fail(what: string, error: unknown): void {
  send({ type: "fatal", message: `${what}: ${error instanceof Error ? error.message : String(error)}` });
  process.exit(1);
}

const config = workerData as QuickJsWorkerData;
let runner: QuickJsRunner | undefined;
// The worker exits after the current message when QuickJS broke; the pool replaces it.
const broken = (): void => void setImmediate(() => process.exit(1));

port.on("message", (message: unknown) => {
  if (!runner || !isHostMessage(message)) return;
  try {
    if (message.type === "run") runner.run(message);
    else runner.toolResult(message);
  } catch (error) {
    fail("the QuickJS member failed", error);
  }
});

/**
 * QuickJS's memory limit does not count ArrayBuffer contents, so the WASM memory itself is capped:
 * the run's limit plus room for the engine's own data. Past it, allocations fail inside QuickJS
 * ("out of memory") instead of growing the host process by gigabytes.
 */
const WASM_PAGE = 65_536;
const HEADROOM_MB = 32;
const maximum = Math.ceil(((config.memoryLimitMb + HEADROOM_MB) * 1024 * 1024) / WASM_PAGE);
const wasmMemory = new wasmApi.Memory({ initial: Math.min(256, maximum), maximum });

newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory, wasmModule: config.wasmModule })).then(
  (module) => {
    runner = new QuickJsRunner(module, { memoryLimitMb: config.memoryLimitMb, maxResultBytes: config.maxResultBytes }, send, broken);
    runner.start();
  },
  (error: unknown) => fail("QuickJS cannot start in this worker", error),
);
