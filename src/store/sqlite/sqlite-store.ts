import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { StoreUnavailableError, VersionConflictError } from "../../errors.js";
import { canonicalJson } from "../../skill/content-hash.js";
import type { Skill, SkillVersion, VersionRecord } from "../../skill/skill.js";
import type {
  EmbeddingRecord, ExecutionRecord, SaveRequest, SaveResult, SearchCandidate, SkillFilter, SkillStore, StoreChange, SyncSkillStore, TextQuery,
} from "../skill-store.js";
import { EXECUTION_LOG_RETENTION, durationBucket, p95FromBuckets } from "../skill-record.js";
import type { Vocabulary } from "../../search/vocabulary.js";
import { SqliteChangeFeed } from "./sqlite-change-feed.js";
import { guarded, storeFailure } from "./sqlite-failure.js";
import { rowToSkill, SKILL_COLUMNS, toVersionRecord, VERSION_COLUMNS, type SkillRow, type VersionRow } from "./sqlite-rows.js";
import { BATCH_SAFETY_NET_PAGES, SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { SqliteBatchWriter } from "./sqlite-batch-writer.js";
import { SqliteFullTextBacklog } from "./sqlite-fulltext-backlog.js";
import { SqliteWriter, saveRow, type SaveRow } from "./sqlite-writer.js";
import { sqliteVocabulary } from "./sqlite-vocabulary.js";
import { filterConditions } from "./sqlite-filters.js";
import { sqliteFullTextSearch } from "./sqlite-fulltext-search.js";
import { migrate } from "./sqlite-schema.js";
import { bytesVector, vectorBytes } from "../vector-bytes.js";

/**
 * Batches of this many saves or more are written on the batch writer's thread once it runs,
 * and batches of `BATCH_WRITER_START_MIN` or more start it. Measured (skills/s, cold / running
 * thread against this thread): 1,000 skills 14–18k / 25–31k against 18–32k; 2,000 26–29k / 32–36k
 * against 32–34k; 4,000 33–36k against 32–33k; 8,000 39–42k against 30–33k. Its start costs
 * about 30–40 ms; the pipeline saves about 11 µs a skill.
 */
export const BATCH_WRITER_MIN = 1000;
/** See {@link BATCH_WRITER_MIN}. */
export const BATCH_WRITER_START_MIN = 4000;

/** How long a write waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * The embedded store: one SQLite file in WAL mode that many processes may open at once.
 * Every write is a `BEGIN IMMEDIATE` transaction that keeps the skill row, its immutable
 * version row, the FTS5 index (for a single save, its full-text backlog: see
 * `SqliteFullTextBacklog`) and the change log in step.
 */
export class SqliteStore implements SkillStore {
  readonly kind = "sqlite";
  /** The synchronous face of this store (the library's `*Sync` methods use it). */
  readonly sync: SyncSkillStore = {
    save: (request) => guarded(() => this.saveSync(request)),
    // The uncached read path: no closure per call.
    get: (id) => {
      try {
        return this.getSync(id);
      } catch (error) {
        throw storeFailure(error);
      }
    },
    getMany: (ids) => guarded(() => this.getManySync(ids)),
    search: (query, filter, limit) => guarded(() => this.searchSync(query, filter, limit)),
    listByReliability: (filter, limit) => guarded(() => this.listByReliabilitySync(filter, limit)),
    vocabulary: () => guarded(() => this.readVocabulary()),
    catchUp: () => guarded(() => this.feed.poll()),
  };
  private readonly db: Database.Database;
  private readonly feed: SqliteChangeFeed;
  private readonly stmt;
  private readonly tx;
  private readonly readVocabulary: () => Vocabulary;
  /** The store's own FTS5 search (see sqlite-fulltext-search.ts). */
  private readonly fullTextSearch: ReturnType<typeof sqliteFullTextSearch>;
  /** Checkpoints the WAL on a worker thread (a file store; `:memory:` has no WAL). */
  private readonly checkpointer: SqliteCheckpointer | undefined;
  /** Writes large batches on a worker thread (a file store). */
  private readonly batchWriter: SqliteBatchWriter | undefined;
  private readonly writer: SqliteWriter;
  /** Single saves' full-text rows, written later many at a time. */
  private readonly backlog: SqliteFullTextBacklog;
  /** Marks this connection's rows in the change log, so its own feed skips them. */
  private readonly origin = randomUUID();

  private readonly retention: number;

  /** Opens (creating or migrating) the store file; `executionLogRetention` bounds the execution log. */
  constructor(
    readonly path: string,
    options: { executionLogRetention?: number } = {},
  ) {
    this.retention = options.executionLogRetention ?? EXECUTION_LOG_RETENTION;
    try {
      this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      if (path !== ":memory:") this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      migrate(this.db);
    } catch (error) {
      throw new StoreUnavailableError(
        `cannot open "${path}" as a skill-library SQLite store (${(error as Error).message}); give the path of a store file or of a new file`,
        error,
      );
    }
    const db = this.db;
    const wal = path !== "" && db.pragma("journal_mode", { simple: true }) === "wal";
    this.checkpointer = wal ? new SqliteCheckpointer(db, path) : undefined;
    this.batchWriter = wal ? new SqliteBatchWriter(path, this.origin, BATCH_SAFETY_NET_PAGES) : undefined;
    this.writer = new SqliteWriter(db, this.origin);
    this.backlog = new SqliteFullTextBacklog(db, this.writer, BUSY_TIMEOUT_MS, () => this.checkpointer?.committed());
    this.stmt = {
      get: db.prepare(`SELECT ${SKILL_COLUMNS} FROM skills s WHERE s.id = ?`).raw(),
      deleteSkill: db.prepare("DELETE FROM skills WHERE rowid = ?"),
      history: db.prepare<[string], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM skill_versions v WHERE v.skill_id = ? ORDER BY v.version`),
      versionRecord: db.prepare<[string, number], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM skill_versions v WHERE v.skill_id = ? AND v.version = ?`),
      countRun: db.prepare(
        `UPDATE skills SET executions = executions + 1, successes = successes + ?, failures = failures + ?, timeouts = timeouts + ?,
         total_duration_ms = total_duration_ms + ?, last_executed_at = ?, p95_duration_ms = ? WHERE id = ?`,
      ),
      logRun: db.prepare(
        "INSERT INTO executions (skill_id, version, agent_id, started_at, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      countBucket: db.prepare("INSERT INTO duration_buckets (skill_id, bucket, runs) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET runs = runs + 1"),
      buckets: db.prepare("SELECT bucket, runs FROM duration_buckets WHERE skill_id = ? ORDER BY bucket").raw(),
      dropBuckets: db.prepare("DELETE FROM duration_buckets WHERE skill_id = ?"),
      trimRuns: db.prepare("DELETE FROM executions WHERE seq <= ?"),
      insertCurrentEmbedding: db.prepare(
        `INSERT OR REPLACE INTO skill_embeddings (skill_id, version, model, vector)
         SELECT id, version, ?, ? FROM skills WHERE id = ? AND version = ?`,
      ),
      allEmbeddings: db.prepare(
        "SELECT e.skill_id, e.version, e.vector FROM skills s JOIN skill_embeddings e ON e.skill_id = s.id AND e.version = s.version AND e.model = ?",
      ).raw(),
      embedding: db.prepare(
        "SELECT e.skill_id, e.version, e.vector FROM skills s JOIN skill_embeddings e ON e.skill_id = s.id AND e.version = s.version AND e.model = ? WHERE s.id = ?",
      ).raw(),
    };
    this.feed = new SqliteChangeFeed(db, this.origin);
    this.fullTextSearch = sqliteFullTextSearch(db, (sql) => this.cached(sql));
    const vocabulary = sqliteVocabulary(db);
    this.readVocabulary = () => (this.backlog.flush(), vocabulary());
    // Made once: better-sqlite3 builds several functions per transaction() call.
    this.tx = {
      save: db.transaction((request: SaveRequest) => {
        const result = this.writer.save(rowOf(request), new Date().toISOString(), this.backlog.deferred);
        if (result.changed) this.writer.noteChange(request.skill.id, "content");
        return result;
      }),
      saveBatch: db.transaction((requests: readonly SaveRequest[]) => {
        const now = new Date().toISOString();
        const results = this.writer.saveAll(
          requests.map(rowOf),
          now,
        );
        this.writer.noteChanges(results.filter((result) => result.changed).map((result) => result.version.skillId));
        return results;
      }),
      delete: db.transaction((id: string, expected: number | undefined) => this.deleteInTransaction(id, expected)),
      record: db.transaction((record: ExecutionRecord) => this.recordInTransaction(record)),
      saveEmbeddings: db.transaction((model: string, records: readonly EmbeddingRecord[]) => {
        for (const r of records) this.stmt.insertCurrentEmbedding.run(model, vectorBytes(r.vector), r.skillId, r.version);
      }),
    };
  }

  // ---- writes -------------------------------------------------------------------------

  save(request: SaveRequest): Promise<SaveResult> {
    return this.attempt(() => this.saveSync(request));
  }

  private saveSync(request: SaveRequest): SaveResult {
    const result = this.committed(this.tx.save.immediate(request));
    this.backlog.saved();
    return result;
  }

  /**
   * Starts the batch writer's thread for a batch that will start it anyway (see
   * {@link BATCH_WRITER_START_MIN}), so that its 30–40 ms start overlaps the batch's preparation.
   */
  prepareBatch(count: number): void {
    if (this.batchWriter?.usable && count >= BATCH_WRITER_START_MIN) this.batchWriter.prepare();
  }

  /**
   * A large batch (see {@link BATCH_WRITER_MIN}) goes to the batch writer's thread, which writes
   * while `requests` are still being made (an iterable made lazily); smaller ones are written here.
   */
  async saveBatch(requests: Iterable<SaveRequest>, count = Array.isArray(requests) ? requests.length : 0): Promise<SaveResult[]> {
    // A writer whose thread failed is left out: this thread writes every batch from then on.
    if (this.batchWriter?.usable && count >= (this.batchWriter.running ? BATCH_WRITER_MIN : BATCH_WRITER_START_MIN)) {
      const saved = await this.batchWriter.write(requests, rowOf);
      if (saved) return this.committed(saved);
    }
    const all = Array.from(requests);
    return this.attempt(() => this.committed(this.tx.saveBatch.immediate(all)));
  }

  /** Passes a write transaction's result through, telling the checkpointer the WAL grew. */
  private committed<T>(result: T): T {
    this.checkpointer?.committed();
    return result;
  }

  delete(id: string, expectedVersion?: number): Promise<boolean> {
    return this.attempt(() => this.committed(this.tx.delete.immediate(id, expectedVersion)));
  }

  private deleteInTransaction(id: string, expectedVersion: number | undefined): boolean {
    const current = this.writer.current(id);
    const actual = current?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== actual) throw new VersionConflictError(id, expectedVersion, actual);
    if (!current) return false;
    this.stmt.deleteSkill.run(current.rowid);
    this.stmt.dropBuckets.run(id);
    this.writer.deleteFts(current.rowid);
    this.backlog.deferred.delete(current.rowid);
    this.writer.noteChange(id, "content");
    return true;
  }

  recordExecution(record: ExecutionRecord): Promise<void> {
    return this.attempt(() => this.recordExecutionSync(record));
  }

  /** Counts one run: atomic increments, the log row, its duration bucket and the p95, in one transaction. */
  recordExecutionSync(record: ExecutionRecord): void {
    guarded(() => this.committed(this.tx.record.immediate(record)));
  }

  private recordInTransaction(r: ExecutionRecord): void {
    const ok = r.outcome === "success" ? 1 : 0;
    this.stmt.countBucket.run(r.skillId, durationBucket(r.durationMs));
    const p95 = p95FromBuckets(this.stmt.buckets.all(r.skillId) as [number, number][]);
    this.stmt.countRun.run(ok, 1 - ok, r.outcome === "timeout" ? 1 : 0, r.durationMs, new Date().toISOString(), p95, r.skillId);
    const seq = Number(
      this.stmt.logRun.run(r.skillId, r.version, r.agentId ?? null, r.startedAt, r.durationMs, r.outcome, r.error ?? null).lastInsertRowid,
    );
    // Trimming now and then keeps the log between retention and retention + 1,000 rows.
    if (seq % Math.min(1000, this.retention) === 0) this.stmt.trimRuns.run(seq - this.retention);
    this.writer.noteChange(r.skillId, "stats");
  }

  // ---- reads --------------------------------------------------------------------------

  get(id: string): Promise<Skill | undefined> {
    return this.attempt(() => this.getSync(id));
  }

  private getSync(id: string): Skill | undefined {
    const row = this.stmt.get.get(id) as SkillRow | undefined;
    return row && rowToSkill(row);
  }

  getMany(ids: readonly string[]): Promise<Skill[]> {
    return this.attempt(() => this.getManySync(ids));
  }

  private getManySync(ids: readonly string[]): Skill[] {
    const skills: Skill[] = [];
    for (const id of ids) {
      const skill = this.getSync(id);
      if (skill) skills.push(skill);
    }
    return skills;
  }

  getVersion(id: string): Promise<SkillVersion | undefined> {
    return this.attempt(() => {
      const current = this.writer.current(id);
      return current && { skillId: id, version: current.version, savedAt: current.updated_at, hash: current.hash };
    });
  }

  list(filter: SkillFilter & { limit: number; offset: number }): Promise<Skill[]> {
    return this.attempt(() => {
      const { sql, params } = filterConditions(filter);
      const where = sql.length ? `WHERE ${sql.join(" AND ")}` : "";
      const limit = Number.isFinite(filter.limit) ? filter.limit : -1;
      const rows = this.db.prepare(`SELECT ${SKILL_COLUMNS} FROM skills s ${where} ORDER BY s.id LIMIT ? OFFSET ?`).raw().all(...params, limit, filter.offset);
      return (rows as SkillRow[]).map(rowToSkill);
    });
  }

  listByReliability(filter: SkillFilter, limit: number): Promise<Skill[]> {
    return this.attempt(() => this.listByReliabilitySync(filter, limit));
  }

  private listByReliabilitySync(filter: SkillFilter, limit: number): Skill[] {
    const { sql, params } = filterConditions(filter);
    const where = sql.length ? `WHERE ${sql.join(" AND ")}` : "";
    const order = "(s.successes + 1.0) / (s.executions + 2.0) DESC, s.executions DESC, s.id";
    const rows = this.cached(`SELECT ${SKILL_COLUMNS} FROM skills s ${where} ORDER BY ${order} LIMIT ?`).raw().all(...params, limit);
    return (rows as SkillRow[]).map(rowToSkill);
  }

  search(query: TextQuery, filter: SkillFilter, limit: number): Promise<SearchCandidate[]> {
    return this.attempt(() => this.searchSync(query, filter, limit));
  }

  private searchSync(query: TextQuery, filter: SkillFilter, limit: number): SearchCandidate[] {
    this.backlog.flush();
    return this.fullTextSearch(query, filter, limit);
  }

  embeddings(model: string, ids?: readonly string[]): Promise<EmbeddingRecord[]> {
    return this.attempt(() => {
      const rows = (ids ? ids.flatMap((id) => this.stmt.embedding.all(model, id)) : this.stmt.allEmbeddings.all(model)) as [string, number, Buffer][];
      return rows.map(([skillId, version, bytes]) => ({ skillId, version, vector: bytesVector(bytes) }));
    });
  }

  saveEmbeddings(model: string, records: readonly EmbeddingRecord[]): Promise<void> {
    return this.attempt(() => {
      this.committed(this.tx.saveEmbeddings.immediate(model, records));
    });
  }

  vocabulary(): Promise<Vocabulary> {
    return this.attempt(() => this.readVocabulary());
  }

  history(id: string): Promise<VersionRecord[]> {
    return this.attempt(() => this.stmt.history.all(id).map(toVersionRecord));
  }

  versionRecord(id: string, version: number): Promise<VersionRecord | undefined> {
    return this.attempt(() => {
      const row = this.stmt.versionRecord.get(id, version);
      return row && toVersionRecord(row);
    });
  }

  // ---- lifecycle ----------------------------------------------------------------------

  watch(onChange: (changes: StoreChange[]) => void): () => void {
    return this.feed.subscribe(onChange);
  }

  async close(): Promise<void> {
    this.feed.stop();
    await this.batchWriter?.stop();
    try {
      if (this.db.open) this.backlog.flush();
    } catch {
      // What cannot be written stays in the file's backlog, for the next store that reads the index.
    }
    this.backlog.stop();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** Runs raw SQL on the underlying connection (tests and tools only). */
  pragma(source: string): unknown {
    return this.db.pragma(source, { simple: true });
  }

  private readonly statements = new Map<string, Database.Statement>();
  private cached(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs synchronous work as a settled Promise, so callers may treat every store alike. */
  private attempt<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(storeFailure(error));
    }
  }
}

/** The row the writer saves for a request (its canonical JSON made here only if the library did not pass it). */
function rowOf(request: SaveRequest): SaveRow {
  return saveRow(request, request.json ?? canonicalJson(request.skill));
}
