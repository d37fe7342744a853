import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { StoreUnavailableError, VersionConflictError } from "../../errors.js";
import { resolveEntryScript } from "../../entry-script.js";
import type { SaveRequest, SaveResult } from "../skill-store.js";
import { storeFailure } from "./sqlite-failure.js";
import { packRow, ROW_FIELDS, type BatchMessage, type BatchReply, type BatchWorkerData, type PackedRows } from "./sqlite-batch-protocol.js";
import type { SaveRow } from "./sqlite-writer.js";

/** Rows per message to the worker: small enough that it starts writing early, large enough that messages cost little. */
const ROWS_PER_MESSAGE = 250;

/**
 * Writes large batches on a worker thread with a connection of its own, while the calling
 * thread prepares the batch's next rows (checks, canonical JSON, hash, index terms). The two
 * halves take about as long as each other; on two cores a 10k batch went from 20–25k to
 * 37–48k skills/s. A batch is still one `BEGIN IMMEDIATE` transaction, now the worker's:
 * readers on other connections (the store's own too) see all of it or none, and a batch that
 * fails is rolled back whole. The worker starts with the first batch the store gives it and
 * stays for the next ones; it holds the process open only while a batch is under way.
 *
 * @example
 * ```ts
 * const writer = new SqliteBatchWriter("skills.db", origin, BATCH_SAFETY_NET_PAGES);
 * const results = await writer.write(requests, (request) => saveRow(request, request.json!));
 * await writer.stop();
 * ```
 */
export class SqliteBatchWriter {
  private worker: Worker | undefined;
  /** The worker's start while it is under way (`prepare()` or the first batch). */
  private starting: Promise<Worker | undefined> | undefined;
  /** The batch under way: one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles the batch under way with the worker's answer, or with why the worker is gone. */
  private answer: ((reply: BatchReply | Error) => void) | undefined;
  /** Batches this writer committed and their rows (tests and diagnostics). */
  readonly stats = { batches: 0, rows: 0 };
  /** Why the worker could not start or died: from then on the store writes every batch itself. */
  failure: Error | undefined;
  /** Set by `stop()`: no batch is taken after it. */
  private stopped = false;
  /** The store file, resolved now: a later `chdir` must not point the worker at another file. */
  private readonly file: string;

  /**
   * @param path - the store file, in WAL mode, already migrated.
   * @param origin - the store's change-log origin.
   * @param autocheckpointPages - the safety-net checkpoint of the worker's connection (`BATCH_SAFETY_NET_PAGES`).
   * @param options.script - the worker's entry script (tests). @default sqlite-batch-worker next to this module
   */
  constructor(
    path: string,
    private readonly origin: string,
    private readonly autocheckpointPages: number,
    private readonly options: { script?: URL } = {},
  ) {
    this.file = resolve(path);
  }

  /**
   * Saves every request in one transaction on the worker, turning each into its row on this
   * thread and posting the rows as they are made. A conflict or an error rejects the whole batch
   * (nothing written); so does an error thrown while the requests are taken, and the worker
   * dying (then `StoreUnavailableError`). Resolves `undefined` when there is no worker to use (it
   * could not be started, or failed before): nothing was taken from `requests`, for the caller
   * to write them itself. `requests` must not write to the store: the worker holds its write
   * lock while they are taken.
   */
  write(requests: Iterable<SaveRequest>, toRow: RowMaker): Promise<SaveResult[] | undefined> {
    if (this.stopped) {
      return Promise.reject(new StoreUnavailableError("the store was closed before this batch was asked for; nothing of it was written, open the store again"));
    }
    const run = this.queue.then(() => this.writeNow(requests, toRow));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Whether the worker thread is up or starting (and not stopped or failed since). */
  get running(): boolean {
    return this.worker !== undefined || this.starting !== undefined;
  }

  /** Starts the worker now, in the background, for a batch that is coming (nothing if it is up or failed). */
  prepare(): void {
    if (!this.stopped && !this.failure && !this.worker) void this.started();
  }

  /** False once the worker failed to start or died (see `failure`). */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /** Stops the worker once the batches already asked for are done; a batch asked for later is refused. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await this.starting;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private async writeNow(requests: Iterable<SaveRequest>, toRow: RowMaker): Promise<SaveResult[] | undefined> {
    if (this.failure) return undefined;
    const worker = this.worker ?? (await this.started());
    if (!worker) return undefined;
    const answered = new Promise<BatchReply | Error>((resolve) => (this.answer = resolve));
    worker.ref();
    try {
      const ids: string[] = [];
      const hashes: string[] = [];
      this.post({ type: "begin" });
      try {
        let rows: PackedRows = [];
        for (const request of requests) {
          const row = toRow(request);
          ids.push(row.id);
          hashes.push(row.hash);
          packRow(rows, row);
          if (rows.length === ROWS_PER_MESSAGE * ROW_FIELDS) {
            this.post({ type: "rows", rows });
            rows = [];
          }
        }
        if (rows.length > 0) this.post({ type: "rows", rows });
      } catch (error) {
        this.post({ type: "abort" });
        await answered;
        throw error;
      }
      this.post({ type: "commit" });
      const reply = await answered;
      if (reply instanceof Error) {
        throw new StoreUnavailableError(
          `the batch writer's thread stopped before confirming the batch (${reply.message}); it may or may not have been written. ` +
            "Retrying it is safe unless it carries expectedVersion: skills already saved come back unchanged",
          reply,
        );
      }
      const saved = results(reply, ids, hashes);
      if (reply.type === "done") {
        this.stats.batches++;
        this.stats.rows += saved.length;
      }
      return saved;
    } finally {
      this.answer = undefined;
      this.worker?.unref();
    }
  }

  private post(message: BatchMessage): void {
    this.worker?.postMessage(message);
  }

  /** The worker, started once however many ask at the same time; undefined if it could not start. */
  private started(): Promise<Worker | undefined> {
    this.starting ??= this.start().then(
      (worker) => ((this.starting = undefined), worker),
      () => (this.starting = undefined),
    );
    return this.starting;
  }

  private async start(): Promise<Worker> {
    let worker: Worker;
    try {
      const script = this.options.script ?? (await resolveEntryScript(import.meta.url, "sqlite-batch-worker")).url;
      // A missing script (a bundled build) fails here, before any request is taken, not in the worker.
      if (!existsSync(fileURLToPath(script))) throw new Error(`the batch writer's script ${script.href} does not exist`);
      const workerData: BatchWorkerData = { path: this.file, origin: this.origin, autocheckpointPages: this.autocheckpointPages };
      // Not the host's flags: a TypeScript loader in the worker would cost ~1 s of start-up.
      worker = new Worker(script, { workerData, execArgv: [], stdout: true, stderr: true });
    } catch (error) {
      throw (this.failure = error as Error);
    }
    worker.on("message", (reply: BatchReply) => this.answer?.(reply));
    worker.on("error", (error) => {
      this.failure = error;
      this.answer?.(error);
    });
    worker.once("exit", (code) => {
      // Not stopped by `stop()` (which forgets the worker first): it died.
      if (this.worker === worker) {
        this.worker = undefined;
        this.failure ??= new Error(`the batch writer's thread exited (code ${code})`);
      }
      this.answer?.(new Error(`the batch writer's thread exited (code ${code})`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** Makes a request's row (called as the batch is taken, on the calling thread). */
export type RowMaker = (request: SaveRequest) => SaveRow;

/** The results of a batch from the worker's answer. */
function results(reply: BatchReply, ids: readonly string[], hashes: readonly string[]): SaveResult[] {
  switch (reply.type) {
    case "done": {
      const saved: SaveResult[] = ids.map((skillId, i) => ({
        changed: true,
        version: { skillId, version: reply.versions[i] as number, savedAt: reply.now, hash: hashes[i] as string },
      }));
      for (const [i, savedAt] of reply.unchanged) {
        const result = saved[i] as SaveResult;
        result.changed = false;
        result.version.savedAt = savedAt;
      }
      return saved;
    }
    case "conflict":
      throw new VersionConflictError(reply.skillId, reply.expected, reply.actual);
    case "failed": {
      // As the same failure on the calling thread would be reported (a rolled-back batch wrote nothing).
      const failure = storeFailure(Object.assign(new Error(reply.message), { code: reply.code }));
      throw failure instanceof StoreUnavailableError ? failure : new StoreUnavailableError(`the batch was not saved (${reply.message}); nothing of it was written, retry it`, failure);
    }
    case "aborted":
      throw new StoreUnavailableError("the batch was rolled back before its commit; nothing of it was written, retry it");
  }
}
