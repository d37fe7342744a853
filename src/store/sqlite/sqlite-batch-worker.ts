/**
 * The SQLite batch writer's worker thread (see sqlite-batch-writer.ts): one connection of its
 * own, which writes one batch at a time in one `BEGIN IMMEDIATE` transaction while the host
 * prepares the batch's next rows, and after each batch its full-text rows (see
 * sqlite-fulltext-backlog.ts), off the host's path.
 */
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { VersionConflictError } from "../../errors.js";
import { ROW_FIELDS, unpackRow, type BatchMessage, type BatchReply, type BatchWorkerData, type PackedRows } from "./sqlite-batch-protocol.js";
import { SqliteFullTextBacklog } from "./sqlite-fulltext-backlog.js";
import { SqliteWriter } from "./sqlite-writer.js";

const { path, origin, autocheckpointPages } = workerData as BatchWorkerData;
/** How long this connection waits for another's write lock in a batch. */
const BUSY_TIMEOUT_MS = 10_000;
/**
 * Full-text rows per transaction after a batch: larger than the store thread's (nothing waits
 * on this thread), so that FTS5 writes fewer, larger segments; small enough that another
 * connection's write gets in between them.
 */
const FULL_TEXT_ROWS = 2_000;
const port = parentPort as NonNullable<typeof parentPort>;
const db = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
db.pragma("synchronous = NORMAL");
// Checkpoints belong to the store's checkpointer thread; this is only a safety net.
db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
const writer = new SqliteWriter(db, origin);
const backlog = new SqliteFullTextBacklog(db, writer, { rowsPerWrite: FULL_TEXT_ROWS, busyTimeoutMs: BUSY_TIMEOUT_MS });

/** The batch under way. */
let batch: { now: string; versions: number[]; unchanged: [number, string][]; changed: string[]; failure?: unknown } | undefined;

port.on("message", (message: BatchMessage) => {
  switch (message.type) {
    case "begin":
      batch = { now: "", versions: [], unchanged: [], changed: [] };
      try {
        db.exec("BEGIN IMMEDIATE");
        // The transaction's time, taken once it holds the write lock (as the store's own saves do).
        batch.now = new Date().toISOString();
      } catch (error) {
        batch.failure = error;
      }
      return;
    case "rows":
      if (batch && batch.failure === undefined) write(batch, message.rows);
      return;
    case "commit":
      reply(finish(true));
      // After the answer: the batch's full-text rows, while the host goes on.
      return void setImmediate(writeFullText);
    case "abort":
      return reply(finish(false));
    case "stop":
      writeFullText();
      return reply({ type: "stopped" });
  }
});

/** Writes this connection's waiting full-text rows (what cannot be written now is left to the store: see the backlog). */
function writeFullText(): void {
  try {
    backlog.flush(true);
  } catch {
    // Left in the file's backlog, for the store's connection.
  }
}

/** Writes one message's rows (their full-text rows wait for the batch's end: see the backlog). */
function write(current: NonNullable<typeof batch>, packed: PackedRows): void {
  try {
    const rows = [];
    for (let at = 0; at < packed.length; at += ROW_FIELDS) rows.push(unpackRow(packed, at));
    for (const result of writer.writeRows(rows, current.now, backlog.deferred)) {
      current.versions.push(result.version.version);
      if (result.changed) current.changed.push(result.version.skillId);
      else current.unchanged.push([current.versions.length - 1, result.version.savedAt]);
    }
  } catch (error) {
    current.failure = error;
    if (db.inTransaction) db.exec("ROLLBACK");
  }
}

/** Commits the batch (or rolls it back) and says what happened. */
function finish(commit: boolean): BatchReply {
  const current = batch;
  batch = undefined;
  if (!current) return { type: "failed", message: "no batch was begun" };
  try {
    if (current.failure === undefined && commit) {
      writer.noteChanges(current.changed);
      db.exec("COMMIT");
      return { type: "done", now: current.now, versions: current.versions, unchanged: current.unchanged };
    }
  } catch (error) {
    current.failure = error;
  }
  if (db.inTransaction) db.exec("ROLLBACK");
  if (!commit && current.failure === undefined) return { type: "aborted" };
  const failure = current.failure as Error & { code?: string };
  if (failure instanceof VersionConflictError) {
    return { type: "conflict", skillId: failure.skillId, expected: failure.expected, actual: failure.actual };
  }
  return { type: "failed", message: String(failure?.message ?? failure), code: failure?.code };
}

function reply(message: BatchReply): void {
  port.postMessage(message);
}
