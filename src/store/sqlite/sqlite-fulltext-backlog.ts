import type Database from "better-sqlite3";
import { indexedText, type IndexedText } from "../../search/analyzer.js";
import type { SkillContent } from "../../skill/skill.js";
import type { DeferredFullText, PendingFullText, SqliteWriter } from "./sqlite-writer.js";

/** Rows a write of the backlog takes per transaction on the store's own thread (each is a short pause of it). */
export const FLUSH_ROWS = 256;
/** How long after a save its full-text row may wait, when no more saves come. */
const FLUSH_DELAY_MS = 20;
/** Longest wait before trying a write of the backlog again that failed. */
const MAX_RETRY_MS = 1_000;

/** Failures that only mean "not now": another connection holds the write lock, or this one may not write. */
const NOT_NOW = /^SQLITE_(BUSY|LOCKED|READONLY)/;

type BacklogRow = [rowid: number, hash: string | null, content: string | null];

/** Options of a {@link SqliteFullTextBacklog}. */
export interface BacklogOptions {
  /** Rows per write transaction, and the number of this connection's rows that makes a write due at once. */
  rowsPerWrite: number;
  /** The connection's usual busy timeout, restored after each write (which does not wait for the lock). */
  busyTimeoutMs: number;
  /** Told of each commit (the checkpointer counts them). */
  onCommit?: () => void;
}

/**
 * The full-text rows of saved skills, written after their save and many at a time. FTS5 costs
 * about 150 µs a transaction however few rows it writes (it writes out a segment and its
 * structure record), which was 60% of a single `addSkill`, and about 10 µs a row, which was a
 * third of a large batch's writing. A save records each saved skill's rowid in the file's
 * `fulltext_backlog` table, in its own transaction (so a crash loses nothing), and its index
 * terms in `deferred`.
 *
 * Writers write their own rows: once `rowsPerWrite` wait, {@link FLUSH_DELAY_MS} after a save
 * (the batch writer's thread: right after its batch), and at close. Readers write every row
 * that waits, before they read the full-text index: rows another connection has not written yet,
 * or left behind (a process killed first), get their terms made again from the skill row.
 * Writes never wait for another connection's write lock: they try again later, and a read then
 * uses the index as it stands. A backlog row's old full-text row is always deleted first,
 * whoever wrote it (an older skill-library that still has the file open writes its rows at once).
 *
 * The full-text index is the store's own search, which `searchSkillsSync` uses until the
 * library's in-memory index is built; the library's searches never wait for this.
 */
export class SqliteFullTextBacklog {
  /** Index terms of rows this connection saved and has not written, by rowid. */
  readonly deferred: DeferredFullText = new Map();
  private readonly stmt;
  /** Writes one transaction's rows: the next of every connection's, or of this one's only. */
  private readonly writeSomeTx: (own: boolean) => boolean;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = FLUSH_DELAY_MS;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: SqliteWriter,
    private readonly options: BacklogOptions,
  ) {
    const columns = "SELECT b.skill_rowid, s.hash, s.content FROM fulltext_backlog b LEFT JOIN skills s ON s.rowid = b.skill_rowid";
    this.stmt = {
      any: db.prepare("SELECT EXISTS (SELECT 1 FROM fulltext_backlog)").pluck(),
      next: db.prepare(`${columns} ORDER BY b.skill_rowid LIMIT ?`).raw(),
      some: db.prepare(`${columns} WHERE b.skill_rowid IN (SELECT value FROM json_each(?)) ORDER BY b.skill_rowid`).raw(),
      forgetThrough: db.prepare("DELETE FROM fulltext_backlog WHERE skill_rowid <= ?"),
      forgetSome: db.prepare("DELETE FROM fulltext_backlog WHERE skill_rowid IN (SELECT value FROM json_each(?))"),
    };
    const writeSome = db.transaction((own: boolean) => (own ? this.writeOwn() : this.writeNext()));
    this.writeSomeTx = (own) => writeSome.immediate(own);
  }

  /** After a save committed: writes this connection's rows now if enough wait, else soon. Never throws (the save is committed). */
  saved(): void {
    if (this.deferred.size < this.options.rowsPerWrite) return this.schedule(FLUSH_DELAY_MS);
    try {
      this.flush(true);
    } catch {
      // The file is failing: the next read or write that needs it says why.
    }
  }

  /**
   * Writes the waiting rows, `rowsPerWrite` a transaction: this connection's (`own`), or every
   * connection's, as a read needs. Returns false when it cannot now (another connection holds
   * the write lock, or this one may not write): the rest is tried again later, and a read goes
   * on with the index as it stands. Other failures (a damaged file, a full disk) are thrown.
   */
  flush(own = false): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      if (own ? this.deferred.size === 0 : this.stmt.any.get() !== 1) {
        if (!own) this.deferred.clear();
        return true;
      }
      this.db.pragma("busy_timeout = 0");
      try {
        while (this.writeSomeTx(own)) this.options.onCommit?.();
      } finally {
        this.db.pragma(`busy_timeout = ${this.options.busyTimeoutMs}`);
      }
      this.retryMs = FLUSH_DELAY_MS;
      return true;
    } catch (error) {
      this.schedule(this.retryMs, true);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      if (NOT_NOW.test(String((error as { code?: unknown }).code))) return false;
      throw error;
    }
  }

  /** Stops the timer (the store is closing; call `flush` first to leave nothing behind). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes this connection's rows in `ms` (unless a write is due already), if it has any or `always`. */
  private schedule(ms: number, always = false): void {
    if (this.timer || (!always && this.deferred.size === 0) || !this.db.open) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        if (this.db.open) this.flush(true);
      } catch {
        // Tried again later; the next read or write that needs the file says why it fails.
      }
    }, ms);
    this.timer.unref();
  }

  /** Writes the next rows of every connection (inside a write transaction); false when none waited. */
  private writeNext(): boolean {
    const rows = this.stmt.next.all(this.options.rowsPerWrite) as BacklogRow[];
    if (rows.length === 0) {
      // Nothing waits (under the write lock): what is left in memory was written or dropped by others.
      this.deferred.clear();
      return false;
    }
    this.write(rows);
    this.stmt.forgetThrough.run((rows[rows.length - 1] as BacklogRow)[0]);
    return true;
  }

  /** Writes this connection's next rows that still wait (inside a write transaction); false when it has none. */
  private writeOwn(): boolean {
    if (this.deferred.size === 0) return false;
    const rowids: number[] = [];
    for (const rowid of this.deferred.keys()) {
      rowids.push(rowid);
      if (rowids.length === this.options.rowsPerWrite) break;
    }
    const list = JSON.stringify(rowids);
    this.write(this.stmt.some.all(list) as BacklogRow[]);
    this.stmt.forgetSome.run(list);
    // Those that no longer waited were written or dropped by another connection.
    for (const rowid of rowids) this.deferred.delete(rowid);
    return true;
  }

  /** Writes the full-text rows of backlog rows (the skill's current terms, or none when it is gone). */
  private write(rows: readonly BacklogRow[]): void {
    const fullText: PendingFullText = new Map();
    for (const [rowid, hash, content] of rows) {
      fullText.set(rowid, hash === null ? undefined : this.textOf(rowid, hash, content as string));
      this.deferred.delete(rowid);
    }
    this.writer.writeIndex(fullText);
  }

  /** The terms this connection kept for the row's content (same hash), or the terms made from the row. */
  private textOf(rowid: number, hash: string, content: string): IndexedText {
    const deferred = this.deferred.get(rowid);
    return deferred?.hash === hash ? deferred.index : indexedText(JSON.parse(content) as SkillContent);
  }
}
