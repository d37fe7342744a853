import type Database from "better-sqlite3";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";

/** SQLite's own automatic checkpoint threshold (WAL pages), used whenever no worker runs. */
export const AUTO_CHECKPOINT_PAGES = 1000;
/** WAL pages past the last checkpoint at which the worker checkpoints (SQLite's own threshold). */
export const WORKER_CHECKPOINT_PAGES = 1000;
/** After a commit wakes the worker, it looks at the WAL and then lets further commits gather this long. */
const WORKER_PAUSE_MS = 5;
/**
 * The store's connection still checkpoints by itself once the WAL holds this many pages (about
 * 40 MB): a lagging or dead worker cannot let the WAL grow without bound. It is also what
 * restarts the WAL under sustained writes: SQLite reuses the WAL from its start only when a write
 * begins with every frame checkpointed, which a checkpointer on another thread seldom sees while
 * the writer keeps writing. By then the worker has copied most of the WAL; this copies the rest.
 */
export const SAFETY_NET_PAGES = 10_000;
/**
 * The safety net of the batch writer's connection (about 160 MB of WAL). A batch of 100k
 * skills writes about 36,000 pages; at 10,000 its commit also checkpointed them, 280 ms of
 * its 2.5 s, before the batch could answer. This way the checkpointer copies them after the
 * answer, and the WAL stays bounded all the same.
 */
export const BATCH_SAFETY_NET_PAGES = 40_000;

/** One checkpoint of the worker: `PRAGMA wal_checkpoint(PASSIVE)`'s row. */
export interface CheckpointResult {
  /** 1 when another connection was checkpointing (nothing done). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames of the WAL now copied into the database file. */
  checkpointed: number;
}

/**
 * The worker, as CommonJS source (a string, so it runs the same from the TypeScript sources and
 * from dist/). It waits on a shared counter (word 0) the store bumps after each commit, reads the
 * WAL's frame counts from the wal-index header (the `-shm` file: `mxFrame` is word 4, `nBackfill`
 * word 24, native byte order; https://www.sqlite.org/walformat.html), and checkpoints once enough
 * frames wait. After a wake it pauses (a timed wait on word 2) so that commits gather: woken by
 * every single save, it cost each about 12 µs of its 0.13 ms. Word 1 set asks it to stop; a
 * process exiting ends its `Atomics.wait` too.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { openSync, readSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("wal_autocheckpoint = 0");
const signal = new Int32Array(workerData.signal);
const header = new Uint32Array(34);
const shm = openSync(workerData.path + "-shm", "r");
const waiting = () => {
  if (readSync(shm, header, 0, 136, 0) < 136) return 0;
  return header[4] - Math.min(header[4], header[24]);
};
let seen = 0;
while (Atomics.load(signal, 1) === 0) {
  if (waiting() >= workerData.pages) parentPort.postMessage(db.pragma("wal_checkpoint(PASSIVE)")[0]);
  Atomics.wait(signal, 0, seen);
  Atomics.wait(signal, 2, 0, workerData.pauseMs);
  seen = Atomics.load(signal, 0);
}
db.close();
`;

/**
 * Runs SQLite's WAL checkpoints on a worker thread with its own connection, so a commit returns
 * without copying the WAL into the database file and its two `fsync`s. The store's connection
 * keeps an automatic checkpoint at {@link SAFETY_NET_PAGES}, and goes back to SQLite's 1,000 if
 * the worker fails or exits. Durability is unchanged: a checkpoint still syncs the WAL and the
 * database file. The worker starts at the first commit (a store that only reads never starts
 * one) and is unref'd, so it never keeps a process alive.
 *
 * @example
 * ```ts
 * const checkpointer = new SqliteCheckpointer(db, "skills.db");
 * db.prepare("INSERT ...").run();
 * checkpointer.committed();
 * await checkpointer.stop();
 * ```
 */
export class SqliteCheckpointer {
  /** Word 0 counts commits (wrapping is fine: the worker waits for any change), word 1 asks it to stop, word 2 ends its pause. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(12));
  private readonly listeners = new Set<(result: CheckpointResult) => void>();
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private state: "idle" | "running" | "stopped" = "idle";
  /** Why the worker stopped by itself, if it did (tests and diagnostics). */
  failure: Error | undefined;

  /**
   * Raises the automatic checkpoint of `db`, a WAL database opened at `path`, to the safety net.
   * @param options.driver - module path of the better-sqlite3 the worker loads. @default this one's
   * @param options.pages - WAL pages waiting before the worker checkpoints. @default 1000
   */
  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly options: { driver?: string; pages?: number } = {},
  ) {
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  }

  /** Tells the worker a transaction committed (a shared counter and a futex wake: well under 1 µs), starting it the first time. */
  committed(): void {
    if (this.state === "idle") this.start();
    if (this.state !== "running") return;
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  /** Calls `listener` after each checkpoint of the worker; returns the unsubscribe. */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles once the worker is gone (stopped, or failed: then the connection checkpoints by itself again). */
  gone(): Promise<void> {
    return this.exited;
  }

  /** Stops the worker (it finishes a checkpoint under way, then closes its connection). */
  async stop(): Promise<void> {
    if (this.state !== "running") {
      this.state = "stopped";
      return this.exited;
    }
    this.state = "stopped";
    // Held while stopping: an unref'd worker's exit would not keep `await close()` alive.
    this.worker?.ref();
    Atomics.store(this.signal, 1, 1);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
    Atomics.notify(this.signal, 2);
    await this.exited;
  }

  private start(): void {
    try {
      const driver = this.options.driver ?? createRequire(import.meta.url).resolve("better-sqlite3");
      const pages = this.options.pages ?? WORKER_CHECKPOINT_PAGES;
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // Not the host's flags: a TypeScript loader in the worker would cost ~1 s of start-up.
        execArgv: [],
        workerData: { driver, path: resolve(this.path), pages, pauseMs: WORKER_PAUSE_MS, signal: this.signal.buffer },
        stdout: true,
        stderr: true,
      });
      worker.on("message", (result: CheckpointResult) => {
        for (const listener of this.listeners) listener(result);
      });
      worker.on("error", (error) => (this.failure = error));
      this.exited = new Promise((resolve) =>
        worker.once("exit", () => {
          if (this.state === "running") this.fallBack();
          resolve();
        }),
      );
      // After the listeners: adding a "message" listener refs the worker again.
      worker.unref();
      this.worker = worker;
      this.state = "running";
    } catch (error) {
      this.failure = error as Error;
      this.fallBack();
    }
  }

  /** No worker (it failed, or exited by itself): the connection checkpoints as SQLite does by default. */
  private fallBack(): void {
    this.state = "stopped";
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }
}
