import type Database from "better-sqlite3";
import { VersionConflictError } from "../../errors.js";
import type { IndexedText } from "../../search/analyzer.js";
import type { SaveRequest, SaveResult } from "../skill-store.js";
import { vectorBytes } from "../vector-bytes.js";
import { SqliteChangeFeed } from "./sqlite-change-feed.js";

/**
 * What writing one save needs, without the skill object: plain strings that cross to the batch
 * writer's thread cheaply (`saveRow` makes one from a request).
 */
export interface SaveRow {
  id: string;
  category: string;
  /** The skill's tags as a JSON array. */
  tags: string;
  /** The canonical JSON of the skill. */
  json: string;
  hash: string;
  index: IndexedText;
  expectedVersion?: number;
  author?: string;
  message?: string;
  embedding?: { model: string; vector: Float32Array };
}

/** The row of a save request (its canonical JSON is the one the library made and hashed). */
export function saveRow(request: SaveRequest, json: string): SaveRow {
  const { skill, hash, index, expectedVersion, author, message, embedding } = request;
  return { id: skill.id, category: skill.category, tags: JSON.stringify(skill.tags), json, hash, index, expectedVersion, author, message, embedding };
}

/**
 * Full-text rows to write, by rowid; `replaces` when the index may hold an old row for the
 * rowid, which goes first; without `index` the old row only goes (the skill is gone).
 */
export type PendingFullText = Map<number, { index?: IndexedText; replaces: boolean }>;

/** Full-text rows of single saves not written yet, by rowid, with the content hash they are for (see sqlite-fulltext-backlog.ts). */
export type DeferredFullText = Map<number, { hash: string; index: IndexedText }>;

type CurrentRow = { rowid: number; version: number; hash: string; updated_at: string };

/** The content of a skill's current version lives only in its skill row: its version row holds this until the schema's triggers copy the content in (the skill row moves on or goes). */
const VERSION_IN_SKILL_ROW = "";

/**
 * Writes saves and change-log rows on one connection, inside a write transaction its caller
 * holds: the store's own connection, or the batch writer's on a worker thread (the same code,
 * so both write the same rows).
 */
export class SqliteWriter {
  private readonly stmt;

  /** @param origin - marks this writer's change-log rows, so the store's own feed skips them. */
  constructor(
    db: Database.Database,
    private readonly origin: string,
  ) {
    this.stmt = {
      current: db.prepare<[string], CurrentRow>("SELECT rowid, version, hash, updated_at FROM skills WHERE id = ?"),
      lastVersion: db.prepare("SELECT max(version) FROM skill_versions WHERE skill_id = ?").pluck(),
      insertSkill: db.prepare(
        "INSERT INTO skills (id, version, content, hash, category, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      updateSkill: db.prepare("UPDATE skills SET version = ?, content = ?, hash = ?, category = ?, tags = ?, updated_at = ? WHERE rowid = ?"),
      insertFts: db.prepare("INSERT INTO skills_fts (rowid, name, description, tags, category, instructions) VALUES (?, ?, ?, ?, ?, ?)"),
      deleteFts: db.prepare("DELETE FROM skills_fts WHERE rowid = ?"),
      insertVersion: db.prepare(
        "INSERT INTO skill_versions (skill_id, version, saved_at, hash, author, message, content) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      insertEmbedding: db.prepare("INSERT OR REPLACE INTO skill_embeddings (skill_id, version, model, vector) VALUES (?, ?, ?, ?)"),
      defer: db.prepare("INSERT INTO fulltext_backlog (skill_rowid) VALUES (?) ON CONFLICT DO NOTHING"),
      anyDeferred: db.prepare("SELECT EXISTS (SELECT 1 FROM fulltext_backlog)").pluck(),
      takeDeferred: db.prepare("DELETE FROM fulltext_backlog WHERE skill_rowid = ?"),
      insertChange: db.prepare("INSERT INTO changes (skill_id, kind, origin) VALUES (?, ?, ?)"),
      // A batch's change rows in one statement, in the order of the ids (a JSON array).
      insertChanges: db.prepare("INSERT INTO changes (skill_id, kind, origin) SELECT value, ?, ? FROM json_each(?) ORDER BY key"),
      trimChanges: db.prepare("DELETE FROM changes WHERE seq <= ?"),
    };
  }

  /** The current row of a skill: its rowid, version, hash and when it was saved. */
  current(id: string): CurrentRow | undefined {
    return this.stmt.current.get(id);
  }

  /**
   * Saves one skill (without its change-log row) at `now`, the transaction's time. Its
   * full-text row is not written now: the skill goes into the table's backlog, and its text into
   * `deferred`, for `SqliteFullTextBacklog` to write with others in one later transaction (FTS5
   * costs about 150 µs a transaction, however few rows it writes).
   */
  save(row: SaveRow, now: string, deferred: DeferredFullText): SaveResult {
    const fullText: PendingFullText = new Map();
    const [result] = this.writeRows([row], now, fullText) as [SaveResult];
    for (const [rowid, { index }] of fullText) {
      this.stmt.defer.run(rowid);
      deferred.set(rowid, { hash: row.hash, index: index as IndexedText });
    }
    return result;
  }

  /** Saves skills in order (without their change-log rows) at `now`: `writeRows`, then `writeFullText`. */
  saveAll(rows: readonly SaveRow[], now: string): SaveResult[] {
    const fullText: PendingFullText = new Map();
    const results = this.writeRows(rows, now, fullText);
    this.writeFullText(fullText);
    return results;
  }

  /**
   * Writes the skill rows and version rows of `rows` in order, and notes in `fullText` the
   * full-text row each saved skill gets (written later by `writeFullText`, by rowid).
   *
   * Why later and in rowid order: FTS5 writes its pending terms out as a new segment whenever a
   * statement opens a savepoint (an `UPDATE` that fires the content trigger does) or a write's
   * rowid is below the last one written, and new segments are merged, some of them at once
   * (single calls up to 0.28 s). Interleaved per skill, a batch of 10k updates took 1.4 s against
   * 0.13 s for 10k inserts.
   */
  writeRows(rows: readonly SaveRow[], now: string, fullText: PendingFullText): SaveResult[] {
    const results: SaveResult[] = [];
    for (const row of rows) {
      const { id, hash, expectedVersion } = row;
      const current = this.stmt.current.get(id);
      const actual = current?.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== actual) throw new VersionConflictError(id, expectedVersion, actual);
      if (current && current.hash === hash) {
        results.push({ changed: false, version: { skillId: id, version: current.version, savedAt: current.updated_at, hash } });
        continue;
      }
      const version = (current ? current.version : ((this.stmt.lastVersion.get(id) as number | null) ?? 0)) + 1;
      let rowid: number;
      if (current) {
        rowid = current.rowid;
        this.stmt.updateSkill.run(version, row.json, hash, row.category, row.tags, now, rowid);
      } else {
        rowid = Number(this.stmt.insertSkill.run(id, version, row.json, hash, row.category, row.tags, now, now).lastInsertRowid);
      }
      fullText.set(rowid, { index: row.index, replaces: fullText.get(rowid)?.replaces ?? current !== undefined });
      this.stmt.insertVersion.run(id, version, now, hash, row.author ?? null, row.message ?? null, VERSION_IN_SKILL_ROW);
      if (row.embedding) this.stmt.insertEmbedding.run(id, version, row.embedding.model, vectorBytes(row.embedding.vector));
      results.push({ changed: true, version: { skillId: id, version, savedAt: now, hash } });
    }
    return results;
  }

  /**
   * Writes the noted full-text rows, and forgets them. A rowid in the backlog (a single save's
   * row not written yet) leaves it, and any row the index holds for it goes first.
   */
  writeFullText(fullText: PendingFullText): void {
    if (this.stmt.anyDeferred.get() === 1) {
      for (const [rowid, pending] of fullText) {
        if (this.stmt.takeDeferred.run(rowid).changes > 0) pending.replaces = true;
      }
    }
    this.writeIndex(fullText);
  }

  /**
   * Writes full-text rows as noted, and forgets them: first the old rows' deletions, then the
   * insertions, each by rowid. (A deletion just before each insertion cost 55 µs a row, against
   * 2 µs when they all come first: 10k updates took 0.86 s against 0.30 s.) Deleting a rowid the
   * index does not hold changes nothing; inserting one it holds would keep the old terms too.
   */
  writeIndex(fullText: PendingFullText): void {
    const rowids = [...fullText.keys()].sort((a, b) => a - b);
    for (const rowid of rowids) if (fullText.get(rowid)?.replaces) this.stmt.deleteFts.run(rowid);
    for (const rowid of rowids) {
      const { index } = fullText.get(rowid) as { index?: IndexedText };
      if (index) this.stmt.insertFts.run(rowid, index.name, index.description, index.tags, index.category, index.instructions);
    }
    fullText.clear();
  }

  /** Drops a skill's full-text row and its place in the backlog (its skill row is going). */
  deleteFts(rowid: number): void {
    if (this.stmt.anyDeferred.get() === 1) this.stmt.takeDeferred.run(rowid);
    this.stmt.deleteFts.run(rowid);
  }

  /** One change-log row; the log is trimmed to its retention now and then. */
  noteChange(skillId: string, kind: "content" | "stats"): void {
    const seq = Number(this.stmt.insertChange.run(skillId, kind, this.origin).lastInsertRowid);
    if (seq % 1000 === 0) this.stmt.trimChanges.run(seq - SqliteChangeFeed.RETENTION);
  }

  /**
   * Content changes of many skills: one statement instead of one per skill. A batch notes its
   * changes once, at its end: the statement opens a savepoint, which makes FTS5 write its
   * pending terms out (noted after every 250 rows, that cost a 10k batch 40–50 ms).
   */
  noteChanges(skillIds: readonly string[]): void {
    if (skillIds.length === 0) return;
    if (skillIds.length === 1) return this.noteChange(skillIds[0] as string, "content");
    const last = Number(this.stmt.insertChanges.run("content", this.origin, JSON.stringify(skillIds)).lastInsertRowid);
    // Trimmed whenever the rows passed a multiple of 1,000, as one row at a time would.
    if (Math.floor(last / 1000) !== Math.floor((last - skillIds.length) / 1000)) this.stmt.trimChanges.run(last - SqliteChangeFeed.RETENTION);
  }
}
