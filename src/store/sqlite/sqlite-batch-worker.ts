/**
 * The SQLite batch writer's worker thread (see sqlite-batch-writer.ts): one connection of its
 * own, which writes one batch at a time in one `BEGIN IMMEDIATE` transaction while the host
 * prepares the batch's next rows.
 */
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { VersionConflictError } from "../../errors.js";
import { ROW_FIELDS, unpackRow, type BatchMessage, type BatchReply, type BatchWorkerData, type PackedRows } from "./sqlite-batch-protocol.js";
import { SqliteWriter, type PendingFullText } from "./sqlite-writer.js";

const { path, origin, autocheckpointPages } = workerData as BatchWorkerData;
const port = parentPort as NonNullable<typeof parentPort>;
const db = new Database(path, { fileMustExist: true, timeout: 10_000 });
db.pragma("synchronous = NORMAL");
// Checkpoints belong to the store's checkpointer thread; this is only a safety net.
db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
const writer = new SqliteWriter(db, origin);

/** The batch under way. */
let batch:
  | {
      now: string;
      versions: number[];
      unchanged: [number, string][];
      changed: string[];
      /** Full-text rows not yet written: all of them from the batch's first update on (see `write`). */
      fullText: PendingFullText;
      updates: boolean;
      failure?: unknown;
    }
  | undefined;

port.on("message", (message: BatchMessage) => {
  switch (message.type) {
    case "begin":
      batch = { now: "", versions: [], unchanged: [], changed: [], fullText: new Map(), updates: false };
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
      return reply(finish(true));
    case "abort":
      return reply(finish(false));
  }
});

/**
 * Writes one message's rows. Their full-text rows follow at once while the batch has only
 * inserted skills; from its first update on, they wait for the commit, where they go in by
 * rowid (each update fires the content trigger, whose savepoint would make FTS5 write out and
 * merge what it holds; see `SqliteWriter.writeRows`). Change-log rows wait for the commit too
 * (see `noteChanges`).
 */
function write(current: NonNullable<typeof batch>, packed: PackedRows): void {
  try {
    const rows = [];
    for (let at = 0; at < packed.length; at += ROW_FIELDS) rows.push(unpackRow(packed, at));
    const results = writer.writeRows(rows, current.now, current.fullText);
    if (!current.updates) {
      for (const pending of current.fullText.values()) current.updates ||= pending.replaces;
      if (!current.updates) writer.writeFullText(current.fullText);
    }
    for (const result of results) {
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
      writer.writeFullText(current.fullText);
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
