import { randomUUID } from "node:crypto";
import { VersionConflictError } from "../../errors.js";
import type { Skill, SkillContent, SkillVersion, VersionRecord } from "../../skill/skill.js";
import type {
  EmbeddingRecord, ExecutionRecord, SaveRequest, SaveResult, SearchCandidate, SkillFilter, SkillStore, StoreChange, TextQuery,
} from "../skill-store.js";
import { EXECUTION_LOG_RETENTION, durationBucket, p95FromBuckets, toSkill } from "../skill-record.js";
import { PostgresChangeFeed } from "./postgres-change-feed.js";
import { openFailure, parsePostgresUrl, type PostgresLocation } from "./postgres-connection.js";
import { RANK_WEIGHTS, TS_CONFIG, filterConditions, pgText, pgTextOrNull, tsqueryText, whereClause } from "./postgres-filters.js";
import { PostgresRunner, prepared } from "./postgres-runner.js";
import { readEmbeddings, saveLaterEmbeddings, storeSavedEmbeddings } from "./postgres-embeddings.js";
import { saveAlone, saveBatchIn } from "./postgres-save.js";
import { migrate } from "./postgres-schema.js";

/** A timestamp as text in the form `Date.prototype.toISOString()` writes (UTC, milliseconds). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/**
 * A skill row as two columns: the content, and everything else as one space-separated text
 * (`rowToSkill` reads it; the last run's time is left out when there is none). Ten columns
 * cost the driver more per read than the server's formatting: per-column parsers, three
 * `Date`s that `toSkill` only turns back into text. Measured: a quarter less client CPU per
 * uncached `get`.
 */
const SKILL_COLUMNS = `s.content, concat_ws(' ', s.version, ${iso("s.created_at")}, ${iso("s.updated_at")}, s.executions, s.successes,
  s.failures, s.timeouts, s.total_duration_ms, s.p95_duration_ms, ${iso("s.last_executed_at")}) AS meta`;
interface SkillRow { content: string; meta: string }
interface CurrentRow { version: number; hash: string; updated_at: Date }
const GET = prepared(`SELECT ${SKILL_COLUMNS} FROM skills s WHERE s.id = $1`);
const CURRENT = prepared("SELECT version, hash, updated_at FROM skills WHERE id = $1");
/**
 * A version row, its content from the skill row while it is the current version (it then holds
 * '': the content is written once, see migration 5); one statement, so one snapshot of both.
 */
const VERSION_COLUMNS = `v.skill_id, v.version, v.saved_at, v.hash, v.author, v.message,
  CASE WHEN v.content = '' THEN (SELECT s.content FROM skills s WHERE s.id = v.skill_id AND s.version = v.version) ELSE v.content END AS content`;
const HISTORY = prepared(`SELECT ${VERSION_COLUMNS} FROM skill_versions v WHERE v.skill_id = $1 ORDER BY v.version`);
const VERSION_RECORD = prepared(`SELECT ${VERSION_COLUMNS} FROM skill_versions v WHERE v.skill_id = $1 AND v.version = $2`);
interface VersionRow { skill_id: string; version: number; saved_at: Date; hash: string; author: string | null; message: string | null; content: string }

// One run: see `skill_library_count_run` in the schema. $1 id, $2 success, $3 failure, $4 timeout, $5 duration,
// $6 now, $7 version, $8 agent, $9 started, $10 outcome, $11 error, $12 bucket.
const COUNT_RUN = prepared(
  "SELECT logged_seq::text AS seq, bucket_ids, bucket_runs FROM skill_library_count_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
);
interface CountedRun { seq: string; bucket_ids: number[] | null; bucket_runs: number[] | null }

/**
 * The PostgreSQL store, shared by many processes and machines. Saves are compare-and-swap: a
 * single save is one statement and one round trip (`skill_library_put`, see `saveAlone`), an
 * upsert whose `WHERE` is the compare; a batch locks its rows (`SELECT … FOR UPDATE`, `INSERT …
 * ON CONFLICT DO NOTHING` for new ids) in a few set-based statements; the weighted `tsvector` is written with the row; every
 * write sends `pg_notify` as it commits, so other instances drop exactly what changed.
 *
 * @example
 * const store = await PostgresStore.open("postgres://postgres@127.0.0.1:5432/app?schema=team_a");
 */
export class PostgresStore implements SkillStore {
  readonly kind = "postgres";
  readonly sync = undefined;
  private readonly runner: PostgresRunner;
  private readonly feed: PostgresChangeFeed;
  private closing: Promise<void> | undefined;

  private constructor(location: PostgresLocation) {
    const origin = randomUUID();
    this.runner = new PostgresRunner(location, origin);
    this.feed = new PostgresChangeFeed(location.config, location.channel, origin);
  }

  /**
   * Connects, creates the schema or migrates it (once, under an advisory lock), and starts
   * listening for other instances' changes. Rejects with `StoreUnavailableError` naming the
   * problem (server down, unknown database, login refused, …) within about 5 s.
   */
  static async open(url: string): Promise<SkillStore> {
    const location = parsePostgresUrl(url);
    const store = new PostgresStore(location);
    try {
      const client = await store.runner.pool.connect();
      try {
        await migrate(client, location.schema);
      } finally {
        client.release();
      }
      await store.feed.start();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw openFailure(error, location);
    }
    return store;
  }

  // ---- writes -------------------------------------------------------------------------

  save(request: SaveRequest): Promise<SaveResult> {
    return saveAlone(this.runner, request);
  }

  saveBatch(batch: Iterable<SaveRequest>): Promise<SaveResult[]> {
    // Taken whole first: a transaction the runner retries writes the same requests again.
    const requests = Array.from(batch);
    return this.runner.transaction(async (tx) => {
      const results = await saveBatchIn(tx, requests);
      await storeSavedEmbeddings(tx, requests, results);
      return results;
    });
  }

  embeddings(model: string, ids?: readonly string[]): Promise<EmbeddingRecord[]> {
    return readEmbeddings(this.runner, model, ids);
  }

  saveEmbeddings(model: string, records: readonly EmbeddingRecord[]): Promise<void> {
    return saveLaterEmbeddings(this.runner, model, records);
  }

  delete(id: string, expectedVersion?: number): Promise<boolean> {
    return this.runner.transaction(async (tx) => {
      const [current] = await tx.query<{ version: number }>("SELECT version FROM skills WHERE id = $1 FOR UPDATE", [pgText(id)]);
      const actual = current?.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== actual) throw new VersionConflictError(id, expectedVersion, actual);
      if (!current) return false;
      // The duration buckets go with the row: a re-added skill starts its p95 afresh.
      await tx.query("WITH gone AS (DELETE FROM skills WHERE id = $1) DELETE FROM duration_buckets WHERE skill_id = $1", [pgText(id)]);
      tx.notify({ skillId: id, kind: "content" });
      return true;
    });
  }

  /**
   * Counts one run in one transaction: the log row, atomic increments under the skill's row
   * lock, its duration bucket (atomic upsert), and the p95 from the skill's buckets as they
   * stand after the lock (`p95FromBuckets`, like the SQLite store).
   */
  recordExecution(r: ExecutionRecord): Promise<void> {
    const ok = r.outcome === "success" ? 1 : 0;
    const id = pgText(r.skillId);
    const params = [
      id, ok, 1 - ok, r.outcome === "timeout" ? 1 : 0, r.durationMs, new Date().toISOString(),
      r.version, pgTextOrNull(r.agentId), r.startedAt, r.outcome, pgTextOrNull(r.error), durationBucket(r.durationMs),
    ];
    return this.runner.transaction(async (tx) => {
      const [run] = await tx.query<CountedRun>(COUNT_RUN, params);
      const seq = Number(run?.seq);
      if (seq % 1000 === 0) await tx.query("DELETE FROM executions WHERE seq <= $1", [seq - EXECUTION_LOG_RETENTION]);
      const ids = run?.bucket_ids;
      const runs = run?.bucket_runs;
      if (ids && runs) {
        // The row lock is held from the count to COMMIT: this write rides with the notice, in one round trip.
        const p95 = p95FromBuckets(ids.map((bucket, i) => [bucket, runs[i] as number] as const));
        tx.atCommit("UPDATE skills SET p95_duration_ms = $2 WHERE id = $1", [id, p95]);
      }
      tx.notify({ skillId: r.skillId, kind: "stats" });
    });
  }

  // ---- reads --------------------------------------------------------------------------

  async get(id: string): Promise<Skill | undefined> {
    const [row] = await this.runner.query<SkillRow>(GET, [pgText(id)]);
    return row && rowToSkill(row);
  }

  async getMany(ids: readonly string[]): Promise<Skill[]> {
    if (ids.length === 0) return [];
    const rows = await this.runner.query<SkillRow & { id: string }>(`SELECT s.id, ${SKILL_COLUMNS} FROM skills s WHERE s.id = ANY($1::text[])`, [ids.map(pgText)]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const skills: Skill[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) skills.push(rowToSkill(row));
    }
    return skills;
  }

  async getVersion(id: string): Promise<SkillVersion | undefined> {
    const [current] = await this.runner.query<CurrentRow>(CURRENT, [pgText(id)]);
    return current && { skillId: id, version: current.version, savedAt: current.updated_at.toISOString(), hash: current.hash };
  }

  async list(filter: SkillFilter & { limit: number; offset: number }): Promise<Skill[]> {
    const params: unknown[] = [];
    const where = whereClause(filterConditions(filter, params));
    const limit = Number.isFinite(filter.limit) ? filter.limit : null;
    const sql = `SELECT ${SKILL_COLUMNS} FROM skills s ${where} ORDER BY s.id LIMIT $${params.push(limit)} OFFSET $${params.push(filter.offset)}`;
    return (await this.runner.query<SkillRow>(sql, params)).map(rowToSkill);
  }

  async listByReliability(filter: SkillFilter, limit: number): Promise<Skill[]> {
    const params: unknown[] = [];
    const where = whereClause(filterConditions(filter, params));
    const order = "(s.successes + 1.0) / (s.executions + 2.0) DESC, s.executions DESC, s.id";
    const sql = `SELECT ${SKILL_COLUMNS} FROM skills s ${where} ORDER BY ${order} LIMIT $${params.push(Number.isFinite(limit) ? limit : null)}`;
    return (await this.runner.query<SkillRow>(sql, params)).map(rowToSkill);
  }

  async search(query: TextQuery, filter: SkillFilter, limit: number): Promise<SearchCandidate[]> {
    const text = tsqueryText(query);
    if (text === "") return [];
    const params: unknown[] = [text];
    const conditions = ["s.search @@ q", ...filterConditions(filter, params)];
    const sql = `SELECT ${SKILL_COLUMNS}, ts_rank('${RANK_WEIGHTS}', s.search, q) AS score
      FROM skills s, to_tsquery('${TS_CONFIG}', $1) q ${whereClause(conditions)}
      ORDER BY score DESC, s.id LIMIT $${params.push(Number.isFinite(limit) ? limit : null)}`;
    const rows = await this.runner.query<SkillRow & { score: number }>(sql, params);
    return rows.map((row) => ({ skill: rowToSkill(row), score: row.score }));
  }

  async history(id: string): Promise<VersionRecord[]> {
    return (await this.runner.query<VersionRow>(HISTORY, [pgText(id)])).map(toVersionRecord);
  }

  async versionRecord(id: string, version: number): Promise<VersionRecord | undefined> {
    const [row] = await this.runner.query<VersionRow>(VERSION_RECORD, [pgText(id), version]);
    return row && toVersionRecord(row);
  }

  // ---- lifecycle ----------------------------------------------------------------------

  watch(onChange: (changes: StoreChange[]) => void): () => void {
    return this.feed.subscribe(onChange);
  }

  /** Ends the listening connection and the pool; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // The sockets are unref'd; a ref'd timer keeps the process up until they have ended,
      // or a program whose last step is `await close()` would exit with the await unsettled.
      const hold = setInterval(() => undefined, 60_000);
      try {
        await this.feed.stop();
        await this.runner.end();
      } finally {
        clearInterval(hold);
      }
    })();
    return this.closing;
  }

  /** How many times the change feed reconnected (diagnostics and tests). */
  get feedReconnects(): number {
    return this.feed.reconnectCount;
  }
}

function rowToSkill({ content, meta }: SkillRow): Skill {
  const [version, createdAt, updatedAt, executions, successes, failures, timeouts, totalMs, p95Ms, lastExecutedAt] = meta.split(" ") as string[];
  return toSkill(JSON.parse(content) as SkillContent, Number(version), createdAt as string, updatedAt as string, {
    executions: Number(executions),
    successes: Number(successes),
    failures: Number(failures),
    timeouts: Number(timeouts),
    totalDurationMs: Number(totalMs),
    p95DurationMs: Number(p95Ms),
    lastExecutedAt: lastExecutedAt ?? null,
  });
}

function toVersionRecord(row: VersionRow): VersionRecord {
  const record: VersionRecord = {
    skillId: row.skill_id, version: row.version, savedAt: row.saved_at.toISOString(), hash: row.hash, skill: JSON.parse(row.content),
  };
  if (row.author !== null) record.author = row.author;
  if (row.message !== null) record.message = row.message;
  return record;
}
