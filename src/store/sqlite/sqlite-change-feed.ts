import type Database from "better-sqlite3";
import type { StoreChange } from "../skill-store.js";

/**
 * Tells which skills *other* connections changed (rows this connection wrote are skipped). `PRAGMA data_version` changes only when
 * another connection commits, so polling it is cheap; when it moves, the change log says
 * exactly which skills changed since the last seen sequence number.
 */
export class SqliteChangeFeed {
  /** How many change-log rows are kept; a reader that falls further behind flushes everything. */
  static readonly RETENTION = 10_000;
  /** How often `data_version` is polled, in ms: a cached read is never staler than about this. */
  static readonly POLL_MS = 20;

  private readonly listeners = new Set<(changes: StoreChange[]) => void>();
  private timer: NodeJS.Timeout | undefined;
  private dataVersion = 0;
  private lastSeq = 0;
  private readonly dataVersionStmt;
  private readonly sinceStmt;
  private readonly boundsStmt;

  constructor(
    private readonly db: Database.Database,
    private readonly origin: string,
  ) {
    this.dataVersionStmt = db.prepare("PRAGMA data_version").pluck();
    this.sinceStmt = db.prepare<[number], { seq: number; skill_id: string; kind: "content" | "stats"; origin: string }>(
      "SELECT seq, skill_id, kind, origin FROM changes WHERE seq > ? ORDER BY seq",
    );
    this.boundsStmt = db.prepare<[], { lo: number | null; hi: number | null }>("SELECT min(seq) AS lo, max(seq) AS hi FROM changes");
  }

  /** Starts polling on the first subscriber; returns an unsubscribe function. */
  subscribe(listener: (changes: StoreChange[]) => void): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    this.dataVersion = this.dataVersionStmt.get() as number;
    this.lastSeq = this.boundsStmt.get()?.hi ?? 0;
    this.timer = setInterval(() => this.poll(), SqliteChangeFeed.POLL_MS);
    this.timer.unref();
  }

  /** Checks for other connections' commits now (the timer also calls this). */
  poll(): void {
    if (!this.db.open) return this.stop();
    if (this.listeners.size === 0) return;
    const dataVersion = this.dataVersionStmt.get() as number;
    if (dataVersion === this.dataVersion) return;
    this.dataVersion = dataVersion;
    const { lo } = this.boundsStmt.get() ?? { lo: null };
    const rows = this.sinceStmt.all(this.lastSeq);
    let changes: StoreChange[];
    if (lo !== null && lo > this.lastSeq + 1 && this.lastSeq > 0) {
      changes = [{ all: true }];
    } else {
      changes = rows.filter((row) => row.origin !== this.origin).map((row) => ({ skillId: row.skill_id, kind: row.kind }));
    }
    const last = rows[rows.length - 1];
    if (last) this.lastSeq = last.seq;
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }
}
