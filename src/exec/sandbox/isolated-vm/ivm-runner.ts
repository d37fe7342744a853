/**
 * Runs skills inside one isolated-vm isolate, in the child process. Each run gets a fresh context
 * prepared before the run arrives; after the run the context, its timers and its pending tool
 * calls are dropped (never settled, so no code of a finished run executes again), and the next
 * context is prepared before the child reports "ready" — which also proves the isolate is idle.
 */
import type { Envelope } from "../prelude.js";
import { envelopeToOutcome, memoryOutcome } from "../outcome.js";
import { encodeToolReply, type MemberConfig, type MemberMessage, type RunMessage, type ToolResultMessage } from "../protocol.js";
import type { SandboxOutcome } from "../sandbox.js";
import { IVM_BOOTSTRAP_SOURCE } from "./ivm-bootstrap.js";
import type { IvmContext, IvmIsolate, IvmModule, IvmReference, IvmScript } from "./ivm-types.js";

interface RunState {
  runId: number | undefined;
  ended: boolean;
  timers: Set<NodeJS.Timeout>;
  pendingTools: Map<number, (reply: string) => void>;
}

interface Prepared {
  context: IvmContext;
  start: IvmReference;
  poll: IvmReference;
  wait: IvmReference;
  refs: IvmReference[];
  state: RunState;
}

/** Runs per isolate before it is replaced (bounds what dropped contexts may leak). */
const RUNS_PER_ISOLATE = 5_000;
/** Share of the memory limit still in use after a run above which the isolate is replaced. */
const HEAP_RECYCLE_SHARE = 0.5;
/**
 * Heap growth since the last full GC after which the child collects between runs. Every dropped
 * context leaves ~200 KB; left alone, V8 runs a 2–4 ms mark-compact in the middle of some later
 * run every ~50 runs. Collecting while idle (before "ready") keeps that off the runs' latency.
 */
const GC_GROWTH_BYTES = 2 * 1024 * 1024;
const MAX_TIMER_MS = 2_147_483_647;

/** The child-side engine of the isolated-vm sandbox. */
export class IvmRunner {
  private isolate: IvmIsolate | undefined;
  private bootstrap: IvmScript | undefined;
  /** `gc` of a private context of the isolate (the child runs with `--expose-gc`), if available. */
  private collect: IvmReference | undefined;
  private heapAfterGc = 0;
  private runsOnIsolate = 0;
  private next: Prepared | undefined;
  private current: Prepared | undefined;
  private nextCallId = 1;

  constructor(
    private readonly ivm: IvmModule,
    private readonly config: MemberConfig,
    private readonly send: (message: MemberMessage) => void,
  ) {}

  /** Creates the isolate and the first context, then reports "ready". */
  start(): void {
    this.next = this.prepare();
    this.send({ type: "ready" });
  }

  /** Runs one skill and reports "done", then prepares the next context and reports "ready". */
  async run(message: RunMessage): Promise<void> {
    const prepared = this.next ?? this.prepare();
    this.next = undefined;
    this.current = prepared;
    prepared.state.runId = message.runId;
    let outcome: SandboxOutcome;
    try {
      // Sync first: the skill's synchronous part and its microtasks run now; most skills end here.
      prepared.start.applySync(undefined, [message.code, message.contextJson, message.toolNames, this.config.maxResultBytes], { arguments: { copy: true } });
      let envelope = prepared.poll.applySync(undefined, [], { result: { copy: true } }) as Envelope | undefined;
      envelope ??= (await prepared.wait.apply(undefined, [], { result: { promise: true, copy: true } })) as Envelope;
      outcome = envelopeToOutcome(envelope, this.config.maxResultBytes, isArrayBufferLimit);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      outcome = this.isolate?.isDisposed || /memory limit/i.test(text) ? memoryOutcome() : { ok: false, kind: "error", message: `the sandbox failed: ${text}`, logs: [] };
    }
    this.current = undefined;
    this.drop(prepared);
    this.send({ type: "done", runId: message.runId, outcome });
    await this.afterRun();
    this.next = this.prepare();
    this.send({ type: "ready" });
  }

  /** Delivers a tool's answer to the run that asked. */
  toolResult(message: ToolResultMessage): void {
    const state = this.current?.state;
    if (!state || state.ended || state.runId !== message.runId) return;
    const resolve = state.pendingTools.get(message.callId);
    if (!resolve) return;
    state.pendingTools.delete(message.callId);
    resolve(encodeToolReply(message));
  }

  private prepare(): Prepared {
    const isolate = this.currentIsolate();
    const bootstrap = (this.bootstrap ??= isolate.compileScriptSync(IVM_BOOTSTRAP_SOURCE, { filename: "sandbox-prelude.js" }));
    const state: RunState = { runId: undefined, ended: false, timers: new Set(), pendingTools: new Map() };
    const callRef = new this.ivm.Reference((name: unknown, argsJson: unknown) => this.callTool(state, String(name), String(argsJson)));
    const sleepRef = new this.ivm.Reference((ms: unknown) => this.sleep(state, Number(ms)));
    const context = isolate.createContextSync();
    const factory = bootstrap.runSync(context, { reference: true });
    const api = factory.applySync(undefined, [callRef, sleepRef], { result: { reference: true } }) as IvmReference;
    const [start, poll, wait] = [0, 1, 2].map((index) => api.getSync(index, { reference: true })) as [IvmReference, IvmReference, IvmReference];
    factory.release();
    api.release();
    return { context, start, poll, wait, refs: [callRef, sleepRef], state };
  }

  private callTool(state: RunState, name: string, argsJson: string): Promise<string> {
    if (state.ended || state.runId === undefined) return new Promise<string>(() => undefined);
    const runId = state.runId;
    const callId = this.nextCallId++;
    return new Promise<string>((resolve) => {
      state.pendingTools.set(callId, resolve);
      this.send({ type: "tool-call", runId, callId, name, argsJson });
    });
  }

  private sleep(state: RunState, ms: number): Promise<void> {
    if (state.ended) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          state.timers.delete(timer);
          resolve();
        },
        Math.min(Math.max(ms, 0) || 0, MAX_TIMER_MS),
      );
      state.timers.add(timer);
    });
  }

  /** Ends a run's context: timers stop, pending tool calls are never answered, handles are released. */
  private drop(prepared: Prepared): void {
    const { state } = prepared;
    state.ended = true;
    for (const timer of state.timers) clearTimeout(timer);
    state.timers.clear();
    state.pendingTools.clear();
    for (const handle of [prepared.start, prepared.poll, prepared.wait, ...prepared.refs, prepared.context]) {
      try {
        handle.release();
      } catch {
        // Already gone with a disposed isolate.
      }
    }
  }

  private currentIsolate(): IvmIsolate {
    if (!this.isolate || this.isolate.isDisposed) {
      const isolate = new this.ivm.Isolate({ memoryLimit: this.config.memoryLimitMb });
      this.isolate = isolate;
      this.bootstrap = undefined;
      this.runsOnIsolate = 0;
      this.heapAfterGc = 0;
      // A context no skill ever sees, holding the isolate's `gc` when --expose-gc is on.
      const collect = isolate.createContextSync().evalSync("typeof gc === 'function' ? gc : undefined", { reference: true });
      this.collect = collect.typeof === "function" ? collect : undefined;
    }
    return this.isolate;
  }

  /**
   * Between runs: collects garbage when the heap grew, and replaces the isolate after a memory
   * kill, after many runs, or when finished runs left a big heap. Awaiting the isolate here also
   * proves it is idle (no code of the finished run still loops in its microtasks).
   */
  private async afterRun(): Promise<void> {
    const isolate = this.isolate;
    if (!isolate || isolate.isDisposed) return;
    this.runsOnIsolate++;
    let used = heapBytes(await isolate.getHeapStatistics());
    if (this.collect && used > this.heapAfterGc + GC_GROWTH_BYTES) {
      this.collect.applySync(undefined, []);
      used = heapBytes(await isolate.getHeapStatistics());
      this.heapAfterGc = used;
    }
    if (this.runsOnIsolate >= RUNS_PER_ISOLATE || used > this.config.memoryLimitMb * 1024 * 1024 * HEAP_RECYCLE_SHARE) {
      this.bootstrap?.release();
      this.bootstrap = undefined;
      this.collect = undefined;
      isolate.dispose();
    }
  }
}

/** isolated-vm refuses ArrayBuffer memory past the isolate's limit with this RangeError. */
function isArrayBufferLimit(envelope: Envelope): boolean {
  return envelope.n === "RangeError" && envelope.m === "Array buffer allocation failed";
}

function heapBytes(heap: { used_heap_size: number; externally_allocated_size: number }): number {
  return heap.used_heap_size + heap.externally_allocated_size;
}
