/**
 * Runs skills inside one isolated-vm isolate, in the child process. Each run gets a fresh context
 * prepared before the run arrives; the run is driven by synchronous calls only (see
 * ivm-bootstrap.ts). After the run its context, timers and pending tool calls are dropped (never
 * settled, so no code of a finished run executes again).
 *
 * The child holds {@link SPARE_CONTEXTS} prepared contexts. While one is left, "done" says the
 * member is ready and it takes the next run at once (no "ready" message, no work in between).
 * Once all are used it prepares them all again in a later macrotask, off the path of the reply,
 * and "ready" follows: the child never prepares while it counts as ready, so no run waits for it.
 */
import type { Envelope } from "../prelude.js";
import { envelopeToOutcome, memoryOutcome } from "../outcome.js";
import { encodeToolReply, type MemberConfig, type MemberMessage, type RunMessage, type ToolResultMessage } from "../protocol.js";
import type { SandboxOutcome } from "../sandbox.js";
import { IVM_BOOTSTRAP_SOURCE, IVM_OP, parseIvmRequests } from "./ivm-bootstrap.js";
import type { IvmContext, IvmIsolate, IvmModule, IvmReference, IvmScript } from "./ivm-types.js";

interface Prepared {
  context: IvmContext;
  /** The bootstrap's entry function. */
  entry: IvmReference;
}

interface Current {
  prepared: Prepared;
  runId: number;
  ended: boolean;
  timers: Set<NodeJS.Timeout>;
  /** In-sandbox request id of each tool call in flight, by the call id the host knows. */
  toolCalls: Map<number, number>;
}

/**
 * Contexts prepared ahead. Serial runs on a pool of 8, same machine, alternating: one context
 * (a "ready" after every run, the next run on another member) p50 0.99–1.28 ms; two (two runs in a
 * row on one member, then the next member while it prepares) p50 0.71–0.79 ms; three 0.73–0.89 ms
 * (load average 11–13 on 2 CPUs). Each spare costs ~200 KB of the member's heap.
 */
const SPARE_CONTEXTS = 2;
/** Runs per isolate before it is replaced (bounds what dropped contexts may leak). */
const RUNS_PER_ISOLATE = 5_000;
/** Share of the memory limit still in use after a run above which the isolate is replaced. */
const HEAP_RECYCLE_SHARE = 0.5;
/**
 * Heap growth since the last full GC after which the child collects between runs. Every dropped
 * context leaves ~200 KB; left alone, V8 runs a 2–4 ms mark-compact in the middle of some later
 * run every ~50 runs. Collecting while idle keeps that off the runs' latency (and measured cheaper
 * in total than letting V8 decide: new contexts are slower to make on a heap full of dead ones).
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
  private spares: Prepared[] = [];
  private current: Current | undefined;
  private nextCallId = 1;

  constructor(
    private readonly ivm: IvmModule,
    private readonly config: MemberConfig,
    private readonly send: (message: MemberMessage) => void,
  ) {}

  /** Creates the isolate and the first contexts, then reports "ready". */
  start(): void {
    this.refill();
    this.send({ type: "ready" });
  }

  /** Runs one skill; reports "done" when it settles (and "ready" later if "done" could not say so). */
  run(message: RunMessage): void {
    const prepared = this.hasSpare() ? (this.spares.shift() as Prepared) : this.prepare();
    const current: Current = { prepared, runId: message.runId, ended: false, timers: new Set(), toolCalls: new Map() };
    this.current = current;
    try {
      prepared.entry.applySync(undefined, [IVM_OP.start, message.code, message.contextJson, JSON.stringify(message.toolNames), this.config.maxResultBytes]);
    } catch (error) {
      return this.end(current, this.failure(error));
    }
    this.step(current);
  }

  /** Delivers a tool's answer to the run that asked. */
  toolResult(message: ToolResultMessage): void {
    const current = this.current;
    if (!current || current.ended || current.runId !== message.runId) return;
    const requestId = current.toolCalls.get(message.callId);
    if (requestId === undefined) return;
    current.toolCalls.delete(message.callId);
    this.answer(current, requestId, encodeToolReply(message));
  }

  private answer(current: Current, requestId: number, reply: string | undefined): void {
    if (current.ended) return;
    try {
      current.prepared.entry.applySync(undefined, reply === undefined ? [IVM_OP.answer, requestId] : [IVM_OP.answer, requestId, reply]);
    } catch (error) {
      return this.end(current, this.failure(error));
    }
    this.step(current);
  }

  /** After a step: ends the run if it settled, else passes its new requests on. */
  private step(current: Current): void {
    let polled: unknown;
    try {
      polled = current.prepared.entry.applySync(undefined, [IVM_OP.poll], { result: { copy: true } });
    } catch (error) {
      return this.end(current, this.failure(error));
    }
    if (polled !== null && typeof polled === "object") {
      return this.end(current, envelopeToOutcome(polled as Envelope, this.config.maxResultBytes, isArrayBufferLimit));
    }
    if (typeof polled !== "string") return;
    for (const request of parseIvmRequests(polled)) {
      if ("ms" in request) this.sleep(current, request.id, request.ms);
      else {
        const callId = this.nextCallId++;
        current.toolCalls.set(callId, request.id);
        this.send({ type: "tool-call", runId: current.runId, callId, name: request.name, argsJson: request.argsJson });
      }
    }
  }

  private sleep(current: Current, requestId: number, ms: number): void {
    const timer = setTimeout(
      () => {
        current.timers.delete(timer);
        this.answer(current, requestId, undefined);
      },
      Math.min(Math.max(ms, 0) || 0, MAX_TIMER_MS),
    );
    current.timers.add(timer);
  }

  private failure(error: unknown): SandboxOutcome {
    const text = error instanceof Error ? error.message : String(error);
    return this.isolate?.isDisposed || /memory limit/i.test(text) ? memoryOutcome() : { ok: false, kind: "error", message: `the sandbox failed: ${text}`, logs: [] };
  }

  /**
   * Ends a run: drops its context and reports "done", ready at once if a prepared context is left.
   * Else, in a macrotask (after the reply went out), the member's maintenance, new contexts, and
   * "ready".
   */
  private end(current: Current, outcome: SandboxOutcome): void {
    if (current.ended) return;
    this.drop(current);
    if (this.current === current) this.current = undefined;
    this.runsOnIsolate++;
    const ready = this.hasSpare();
    this.send({ type: "done", runId: current.runId, outcome, ready });
    if (ready) return;
    setImmediate(() => {
      this.maintain();
      this.refill();
      this.send({ type: "ready" });
    });
  }

  /** Whether a prepared context is left; contexts of a disposed isolate (memory limit) are dropped. */
  private hasSpare(): boolean {
    if (this.isolate?.isDisposed) this.spares.splice(0).forEach(release);
    return this.spares.length > 0;
  }

  private refill(): void {
    while (this.spares.length < SPARE_CONTEXTS) this.spares.push(this.prepare());
  }

  /** Ends a run's context: timers stop, pending tool calls are never answered, handles are released. */
  private drop(current: Current): void {
    current.ended = true;
    for (const timer of current.timers) clearTimeout(timer);
    current.timers.clear();
    current.toolCalls.clear();
    release(current.prepared);
  }

  /**
   * Between runs: collects garbage when the heap grew, and replaces the isolate after a memory
   * kill, after many runs, or when finished runs left a big heap. Every call into the isolate is
   * synchronous, so no code of a finished run can still be running in it by now.
   */
  private maintain(): void {
    const isolate = this.isolate;
    if (!isolate || isolate.isDisposed) return;
    let used = heapBytes(isolate.getHeapStatisticsSync());
    if (this.collect && used > this.heapAfterGc + GC_GROWTH_BYTES) {
      this.collect.applySync(undefined, []);
      used = heapBytes(isolate.getHeapStatisticsSync());
      this.heapAfterGc = used;
    }
    if (this.runsOnIsolate >= RUNS_PER_ISOLATE || used > this.config.memoryLimitMb * 1024 * 1024 * HEAP_RECYCLE_SHARE) {
      this.spares.splice(0).forEach(release);
      isolate.dispose();
    }
  }

  private prepare(): Prepared {
    const isolate = this.currentIsolate();
    const bootstrap = (this.bootstrap ??= isolate.compileScriptSync(IVM_BOOTSTRAP_SOURCE, { filename: "sandbox-prelude.js" }));
    const context = isolate.createContextSync();
    return { context, entry: bootstrap.runSync(context, { reference: true }) };
  }

  private currentIsolate(): IvmIsolate {
    if (!this.isolate || this.isolate.isDisposed) {
      const isolate = new this.ivm.Isolate({ memoryLimit: this.config.memoryLimitMb });
      this.isolate = isolate;
      this.bootstrap = undefined;
      this.runsOnIsolate = 0;
      // A context no skill ever sees, holding the isolate's `gc` when --expose-gc is on.
      const collect = isolate.createContextSync().evalSync("typeof gc === 'function' ? gc : undefined", { reference: true });
      this.collect = collect.typeof === "function" ? collect : undefined;
      this.heapAfterGc = heapBytes(isolate.getHeapStatisticsSync());
    }
    return this.isolate;
  }
}

function release(prepared: Prepared): void {
  for (const handle of [prepared.entry, prepared.context]) {
    try {
      handle.release();
    } catch {
      // Already gone with a disposed isolate.
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
