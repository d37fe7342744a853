/**
 * The QuickJS WebAssembly module, compiled once per host process and shared with every worker
 * (a compiled `WebAssembly.Module` crosses `workerData` without recompiling). Compiling it in
 * each new worker costs tens of ms of CPU on background threads, which starved the host's event
 * loop while killed workers were being replaced.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

/** An opaque compiled `WebAssembly.Module`. */
export type CompiledWasm = object;

/** The parts of the WebAssembly global used here (not in this package's TypeScript lib). */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<CompiledWasm>;
  Memory: new (descriptor: { initial: number; maximum: number }) => object;
}

/** The WebAssembly global, typed. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: Promise<CompiledWasm> | undefined;

/** Compiles (once) the release-sync QuickJS variant that `quickjs-emscripten` uses by default. */
export function compiledQuickJsWasm(): Promise<CompiledWasm> {
  compiled ??= (async () => {
    // A dependency of quickjs-emscripten: resolve it from there, not from this package.
    const fromQuickJs = createRequire(createRequire(import.meta.url).resolve("quickjs-emscripten"));
    return wasmApi.compile(await readFile(fromQuickJs.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")));
  })();
  return compiled;
}
