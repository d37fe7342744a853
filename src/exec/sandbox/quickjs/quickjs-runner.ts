/**
 * Runs skills in QuickJS (WASM), inside a worker thread. Each run gets a fresh runtime and
 * context, prepared before the run arrives, with QuickJS's own memory limit and an interrupt
 * handler at the run's deadline (a backstop: the host terminates the worker at the deadline).
 * The runner drives the run's jobs itself: after each tool answer or timer it executes pending
 * jobs and checks whether the run's promise settled.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import type { Envelope } from "../prelude.js";
import { PRELUDE_SOURCE } from "../prelude.js";
import { envelopeToOutcome, memoryOutcome, timeoutOutcome } from "../outcome.js";
import { encodeToolReply, type MemberConfig, type MemberMessage, type RunMessage, type ToolResultMessage } from "../protocol.js";
import type { SandboxOutcome } from "../sandbox.js";

interface Prepared {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  /** The prelude's `run` function (set once the prelude ran). */
  run: QuickJSHandle | undefined;
  runId: number | undefined;
  deadline: number;
  promise: QuickJSHandle | undefined;
  ended: boolean;
  timers: Set<NodeJS.Timeout>;
  deferreds: Set<QuickJSDeferredPromise>;
  pendingTools: Map<number, QuickJSDeferredPromise>;
}

/** Native stack QuickJS may use; the worker's own stack (4 MB) stays well above it. */
const MAX_STACK_BYTES = 1024 * 1024;
const MAX_TIMER_MS = 2_147_483_647;

/** The worker-side engine of the QuickJS sandbox. */
export class QuickJsRunner {
  private next: Prepared | undefined;
  private current: Prepared | undefined;
  private nextCallId = 1;
  /** Set when QuickJS failed in a way that may leave the WASM module unusable: no further runs. */
  private broken = false;

  constructor(
    private readonly module: QuickJSWASMModule,
    private readonly config: MemberConfig,
    private readonly send: (message: MemberMessage) => void,
    /** Called when QuickJS failed in a way that may leave the WASM module unusable. */
    private readonly onBroken: () => void,
  ) {}

  /** Prepares the first runtime and reports "ready". */
  start(): void {
    this.next = this.prepare();
    this.send({ type: "ready" });
  }

  /** Starts one run; "done" follows when it settles, then "ready" once the next runtime is prepared. */
  run(message: RunMessage): void {
    const prepared = this.next ?? this.prepare();
    this.next = undefined;
    this.current = prepared;
    prepared.runId = message.runId;
    prepared.deadline = performance.now() + message.timeoutMs;
    const { context } = prepared;
    try {
      const args = [context.newString(message.code), context.newString(message.contextJson), this.newStringArray(context, message.toolNames), context.newNumber(this.config.maxResultBytes)];
      const result = context.callFunction(prepared.run as QuickJSHandle, context.undefined, args);
      for (const arg of args) arg.dispose();
      if (result.error) return this.finish(prepared, this.failure(prepared, result.error));
      prepared.promise = result.value;
    } catch (error) {
      return this.engineFailed(prepared, error);
    }
    if (performance.now() >= prepared.deadline) return this.finish(prepared, timeoutOutcome());
    this.step(prepared);
  }

  /** Delivers a tool's answer to the run that asked. */
  toolResult(message: ToolResultMessage): void {
    const prepared = this.current;
    if (!prepared || prepared.ended || prepared.runId !== message.runId) return;
    const deferred = prepared.pendingTools.get(message.callId);
    if (!deferred) return;
    prepared.pendingTools.delete(message.callId);
    this.settle(prepared, deferred, encodeToolReply(message));
  }

  private prepare(): Prepared {
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(this.config.memoryLimitMb * 1024 * 1024);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    const prepared: Prepared = {
      runtime,
      context: runtime.newContext(),
      run: undefined,
      runId: undefined,
      deadline: Number.POSITIVE_INFINITY,
      promise: undefined,
      ended: false,
      timers: new Set(),
      deferreds: new Set(),
      pendingTools: new Map(),
    };
    runtime.setInterruptHandler(() => performance.now() > prepared.deadline);
    const { context } = prepared;
    const hostCall = context.newFunction("hostCall", (name, argsJson) => this.callTool(prepared, context.getString(name), context.getString(argsJson)));
    const hostSleep = context.newFunction("hostSleep", (ms) => this.sleep(prepared, context.getNumber(ms)));
    const factory = context.unwrapResult(context.evalCode(PRELUDE_SOURCE, "sandbox-prelude.js"));
    prepared.run = context.unwrapResult(context.callFunction(factory, context.undefined, hostCall, hostSleep));
    for (const handle of [factory, hostCall, hostSleep]) handle.dispose();
    return prepared;
  }

  private newStringArray(context: QuickJSContext, items: readonly string[]): QuickJSHandle {
    const array = context.newArray();
    items.forEach((item, index) => {
      const value = context.newString(item);
      context.setProp(array, index, value);
      value.dispose();
    });
    return array;
  }

  private callTool(prepared: Prepared, name: string, argsJson: string): QuickJSHandle {
    const deferred = this.deferred(prepared);
    if (!prepared.ended && prepared.runId !== undefined) {
      const callId = this.nextCallId++;
      prepared.pendingTools.set(callId, deferred);
      this.send({ type: "tool-call", runId: prepared.runId, callId, name, argsJson });
    }
    return deferred.handle;
  }

  private sleep(prepared: Prepared, ms: number): QuickJSHandle {
    const deferred = this.deferred(prepared);
    const timer = setTimeout(
      () => {
        prepared.timers.delete(timer);
        this.settle(prepared, deferred, undefined);
      },
      Math.min(Math.max(ms, 0) || 0, MAX_TIMER_MS),
    );
    prepared.timers.add(timer);
    return deferred.handle;
  }

  private deferred(prepared: Prepared): QuickJSDeferredPromise {
    const deferred = prepared.context.newPromise();
    prepared.deferreds.add(deferred);
    return deferred;
  }

  /** Resolves a promise the skill awaits, then runs the jobs that unblocks. */
  private settle(prepared: Prepared, deferred: QuickJSDeferredPromise, text: string | undefined): void {
    if (prepared.ended) return;
    prepared.deferreds.delete(deferred);
    if (text === undefined) deferred.resolve();
    else {
      const value = prepared.context.newString(text);
      deferred.resolve(value);
      value.dispose();
    }
    deferred.dispose();
    this.step(prepared);
  }

  /** Runs pending jobs; finishes the run if its promise settled (or the jobs failed). */
  private step(prepared: Prepared): void {
    if (prepared.ended) return;
    try {
      const jobs = prepared.runtime.executePendingJobs();
      if (jobs.error) return this.finish(prepared, this.failure(prepared, jobs.error));
      // The interrupt only ends the job it hits (a loop in a microtask); later jobs could still
      // settle the run. Past the deadline the run is over, whatever it did since.
      if (performance.now() >= prepared.deadline) return this.finish(prepared, timeoutOutcome());
      const promise = prepared.promise;
      if (!promise) return;
      const state = prepared.context.getPromiseState(promise);
      if (state.type === "pending") return;
      if (state.type === "rejected") return this.finish(prepared, this.failure(prepared, state.error));
      const envelope = readEnvelope(prepared.context, state.value);
      state.value.dispose();
      this.finish(prepared, envelopeToOutcome(envelope, this.config.maxResultBytes, isOutOfMemory));
    } catch (error) {
      this.engineFailed(prepared, error);
    }
  }

  /** QuickJS itself threw (e.g. the WASM stack overflowed): end the run, then this worker. */
  private engineFailed(prepared: Prepared, error: unknown): void {
    this.markBroken();
    this.finish(prepared, { ok: false, kind: "error", message: `the QuickJS engine failed: ${error instanceof Error ? error.message : String(error)}`, logs: [] });
  }

  /** Classifies an error that escaped the prelude: the deadline interrupt, memory, or else. */
  private failure(prepared: Prepared, handle: QuickJSHandle): SandboxOutcome {
    const error = readError(prepared.context, handle);
    handle.dispose();
    if (error.message === "interrupted" || performance.now() >= prepared.deadline) return timeoutOutcome();
    if (isOutOfMemory({ k: "error", m: error.message, n: error.name, l: [] })) return memoryOutcome();
    return { ok: false, kind: "error", message: error.message, logs: [] };
  }

  private finish(prepared: Prepared, outcome: SandboxOutcome): void {
    if (prepared.ended) return;
    const runId = prepared.runId as number;
    this.drop(prepared);
    if (this.current === prepared) this.current = undefined;
    this.send({ type: "done", runId, outcome, ready: false });
    if (this.broken) return; // The worker exits; the pool replaces it.
    this.next = this.prepare();
    this.send({ type: "ready" });
  }

  private markBroken(): void {
    if (this.broken) return;
    this.broken = true;
    this.onBroken();
  }

  /** Ends a run: timers stop, pending tool calls are never answered, the runtime is freed. */
  private drop(prepared: Prepared): void {
    prepared.ended = true;
    for (const timer of prepared.timers) clearTimeout(timer);
    prepared.timers.clear();
    prepared.pendingTools.clear();
    try {
      for (const deferred of prepared.deferreds) deferred.dispose();
      prepared.deferreds.clear();
      prepared.promise?.dispose();
      prepared.run?.dispose();
      prepared.context.dispose();
      prepared.runtime.dispose();
    } catch {
      this.markBroken();
    }
  }
}

/** QuickJS reports its memory limit as `InternalError: out of memory`. */
function isOutOfMemory(envelope: Envelope): boolean {
  return envelope.m === "out of memory" && (envelope.n === undefined || envelope.n === "InternalError");
}

function readString(context: QuickJSContext, object: QuickJSHandle, key: string | number): string | undefined {
  const handle = context.getProp(object, key);
  try {
    return context.typeof(handle) === "string" ? context.getString(handle) : undefined;
  } finally {
    handle.dispose();
  }
}

/** Reads the prelude's envelope field by field (no JSON round trip the skill could influence). */
function readEnvelope(context: QuickJSContext, handle: QuickJSHandle): Envelope {
  const kind = readString(context, handle, "k");
  const envelope: Envelope = { k: kind === "ok" || kind === "result-size" ? kind : "error", l: [] };
  for (const key of ["r", "m", "s", "n"] as const) {
    const value = readString(context, handle, key);
    if (value !== undefined) envelope[key] = value;
  }
  const logs = context.getProp(handle, "l");
  try {
    const length = context.getLength(logs) ?? 0;
    for (let i = 0; i < length; i++) {
      const line = readString(context, logs, i);
      if (line !== undefined) envelope.l.push(line);
    }
  } finally {
    logs.dispose();
  }
  return envelope;
}

function readError(context: QuickJSContext, handle: QuickJSHandle): { name: string | undefined; message: string } {
  if (context.typeof(handle) !== "object") return { name: undefined, message: context.typeof(handle) === "string" ? context.getString(handle) : "the skill failed" };
  return { name: readString(context, handle, "name"), message: readString(context, handle, "message") ?? "the skill failed" };
}
