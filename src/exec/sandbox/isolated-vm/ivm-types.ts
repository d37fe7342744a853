/**
 * The few parts of isolated-vm the child process uses, typed here so the package compiles
 * (and the QuickJS engine works) where the optional `isolated-vm` dependency is not installed.
 */

/** Options of `Reference#apply`. */
export interface IvmTransferOptions {
  arguments?: { copy?: boolean; reference?: boolean };
  result?: { copy?: boolean; reference?: boolean; promise?: boolean };
}

/** `ivm.Reference`: a handle to a value in another isolate. */
export interface IvmReference {
  /** `typeof` of the referenced value. */
  readonly typeof: string;
  applySync(receiver: undefined, args: unknown[], options?: IvmTransferOptions): unknown;
  release(): void;
}

/** `ivm.Context`. */
export interface IvmContext {
  evalSync(code: string, options: { reference: true }): IvmReference;
  release(): void;
}

/** `ivm.Script`: compiled code, runnable in any context of its isolate. */
export interface IvmScript {
  runSync(context: IvmContext, options: { reference: true }): IvmReference;
  release(): void;
}

/** `ivm.Isolate`. */
export interface IvmIsolate {
  readonly isDisposed: boolean;
  compileScriptSync(code: string, info?: { filename?: string }): IvmScript;
  createContextSync(): IvmContext;
  getHeapStatisticsSync(): { used_heap_size: number; total_heap_size: number; externally_allocated_size: number };
  dispose(): void;
}

/** The `isolated-vm` module. */
export interface IvmModule {
  Isolate: new (options?: { memoryLimit?: number }) => IvmIsolate;
}
