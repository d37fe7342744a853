import type Database from "better-sqlite3";
import { indexedText, type IndexedText } from "../../search/analyzer.js";
import type { SkillContent } from "../../skill/skill.js";
import type { DeferredFullText, PendingFullText, SqliteWriter } from "./sqlite-writer.js";

/** Deferred rows that make a write of them due at once (after the save that reached it). */
export const FLUSH_ROWS = 256;
/** How long after a single save its full-text row may wait, when no more saves come. */
const FLUSH_DELAY_MS = 20;
/** Longest wait before trying a write of the backlog again that failed. */
const MAX_RETRY_MS = 1_000;

type BacklogRow = [rowid: number, hash: string | null, content: string | null];

/** Failures that only mean "not now": another connection holds the write lock, or this one may not write. */
const NOT_NOW = /^SQLITE_(BUSY|LOCKED|READONLY)/;

/**
 * The full-text rows of single saves, written later and many at a time. FTS5 costs about
 * 150 µs a transaction however few rows it writes (it writes out a segment and its structure
 * record), which was 60% of a single `addSkill`. A save records its skill's rowid in the file's
 * `fulltext_backlog` table, in its own transaction (so a crash loses nothing), and its text in
 * memory; this writes the backlog's rows in one transaction once {@link FLUSH_ROWS} wait,
 * {@link FLUSH_DELAY_MS} after a save, before anything reads the full-text index, and at close.
 * Rows another connection left (a process killed before its write) have their text made again
 * from the skill row. Writes never wait for another connection's write lock: they try again
 * later, and a read then uses the index as it stands. A backlog row's old full-text row is
 * always deleted first, whoever wrote it (an older skill-library that still has the file open
 * writes its rows at once).
 *
 * The full-text index is the store's own search, which `searchSkillsSync` uses until the
 * library's in-memory index is built; the library's searches never wait for this.
 */
export class SqliteFullTextBacklog {
  /** Texts this connection deferred and has not written, by rowid. */
  readonly deferred: DeferredFullText = new Map();
  private readonly stmt;
  /** `writeSome` as an immediate transaction (made once: better-sqlite3 builds functions per `transaction()`). */
  private readonly writeSomeTx: () => boolean;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = FLUSH_DELAY_MS;

  /**
   * @param busyTimeoutMs - the connection's usual busy timeout, restored after each write.
   * @param onCommit - told of each commit (the checkpointer counts them).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly writer: SqliteWriter,
    private readonly busyTimeoutMs: number,
    private readonly onCommit: () => void,
  ) {
    this.stmt = {
      any: db.prepare("SELECT EXISTS (SELECT 1 FROM fulltext_backlog)").pluck(),
      rows: db
        .prepare(
          `SELECT b.skill_rowid, s.hash, s.content FROM fulltext_backlog b LEFT JOIN skills s ON s.rowid = b.skill_rowid
           ORDER BY b.skill_rowid LIMIT ?`,
        )
        .raw(),
      forget: db.prepare("DELETE FROM fulltext_backlog WHERE skill_rowid <= ?"),
    };
    const writeSome = db.transaction(() => this.writeSome());
    this.writeSomeTx = () => writeSome.immediate();
  }

  /** After a single save committed: writes the backlog now if enough rows wait, else soon. Never throws (the save is committed). */
  saved(): void {
    if (this.deferred.size < FLUSH_ROWS) return this.schedule(FLUSH_DELAY_MS);
    try {
      this.flush();
    } catch {
      // The file is failing: the next read or write that needs it says why.
    }
  }

  /**
   * Writes every waiting row (all connections'), {@link FLUSH_ROWS} a transaction. Returns false
   * when it cannot now (another connection holds the write lock, or this one may not write): the
   * rest is tried again later, and a read goes on with the index as it stands. Other failures
   * (a damaged file, a full disk) are thrown.
   */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      if (this.stmt.any.get() !== 1) {
        this.deferred.clear();
        return true;
      }
      this.db.pragma("busy_timeout = 0");
      try {
        while (this.writeSomeTx()) this.onCommit();
      } finally {
        this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
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

  /** Writes the backlog in `ms` (unless a write is due already), if this connection deferred rows or `always`. */
  private schedule(ms: number, always = false): void {
    if (this.timer || (!always && this.deferred.size === 0) || !this.db.open) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        if (this.db.open) this.flush();
      } catch {
        // Tried again later; the next read or write that needs the file says why it fails.
      }
    }, ms);
    this.timer.unref();
  }

  /** Writes up to FLUSH_ROWS waiting rows (inside a write transaction); false when none waited. */
  private writeSome(): boolean {
    const rows = this.stmt.rows.all(FLUSH_ROWS) as BacklogRow[];
    if (rows.length === 0) {
      // Nothing waits (under the write lock): what is left in memory was written or dropped by others.
      this.deferred.clear();
      return false;
    }
    const fullText: PendingFullText = new Map();
    for (const [rowid, hash, content] of rows) {
      // The index may hold an older row for the rowid (written by anyone): it goes first.
      fullText.set(rowid, { replaces: true, index: hash === null ? undefined : this.textOf(rowid, hash, content as string) });
      this.deferred.delete(rowid);
    }
    this.writer.writeIndex(fullText);
    this.stmt.forget.run((rows[rows.length - 1] as BacklogRow)[0]);
    return true;
  }

  /** The text this connection deferred for the row's content (same hash), or the text made from the row. */
  private textOf(rowid: number, hash: string, content: string): IndexedText {
    const deferred = this.deferred.get(rowid);
    return deferred?.hash === hash ? deferred.index : indexedText(JSON.parse(content) as SkillContent);
  }
}
