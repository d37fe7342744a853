import type pg from "pg";
import { quoteIdent } from "./postgres-connection.js";

/**
 * Schema migrations of the PostgreSQL store, applied in order inside one transaction that
 * holds a transaction-level advisory lock, so many processes starting at once migrate once.
 * The table `skill_library_migrations` records every version applied.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE skills (
    id text COLLATE "C" PRIMARY KEY,
    version integer NOT NULL,
    content text NOT NULL,
    hash text NOT NULL,
    category text NOT NULL,
    tags text[] NOT NULL,
    search tsvector NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    executions bigint NOT NULL DEFAULT 0,
    successes bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0,
    timeouts bigint NOT NULL DEFAULT 0,
    total_duration_ms double precision NOT NULL DEFAULT 0,
    p95_duration_ms double precision NOT NULL DEFAULT 0,
    last_executed_at timestamptz
  );
  CREATE INDEX skills_category ON skills (category);
  CREATE INDEX skills_tags ON skills USING gin (tags);
  CREATE INDEX skills_search ON skills USING gin (search);
  CREATE TABLE skill_versions (
    skill_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    saved_at timestamptz NOT NULL,
    hash text NOT NULL,
    author text,
    message text,
    content text NOT NULL,
    PRIMARY KEY (skill_id, version)
  );
  CREATE TABLE executions (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    skill_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    agent_id text,
    started_at timestamptz NOT NULL,
    duration_ms double precision NOT NULL,
    outcome text NOT NULL,
    error text
  );
  CREATE INDEX executions_skill ON executions (skill_id, seq);
  `,
  // 2: the p95 from a duration histogram (as the SQLite store keeps it): one row per skill and
  // bucket, counted with an atomic upsert. The buckets start from the runs still in the log
  // since each skill was (re)created; the formula is `durationBucket()`'s.
  // `skill_library_count_run` counts one run in one round trip: the log row, the counters
  // (`x = x + 1`, which takes the skill's row lock), the run's bucket (only when the skill
  // exists), then the skill's buckets, read by a new statement, so with a snapshot taken
  // after the lock: every run counted before this one is in them.
  `
  CREATE TABLE duration_buckets (
    skill_id text COLLATE "C" NOT NULL,
    bucket integer NOT NULL,
    runs bigint NOT NULL,
    PRIMARY KEY (skill_id, bucket)
  );
  INSERT INTO duration_buckets (skill_id, bucket, runs)
  SELECT e.skill_id, floor(ln(greatest(e.duration_ms, 0.001)) / ln(1.05))::integer, count(*)
  FROM executions e JOIN skills s ON s.id = e.skill_id AND e.started_at >= s.created_at
  GROUP BY 1, 2;
  CREATE FUNCTION skill_library_count_run(
    run_skill text, run_ok integer, run_failed integer, run_timed_out integer, run_ms double precision,
    run_now timestamptz, run_version integer, run_agent text, run_started timestamptz, run_outcome text,
    run_error text, run_bucket integer,
    OUT logged_seq bigint, OUT bucket_ids integer[], OUT bucket_runs double precision[]
  ) LANGUAGE plpgsql VOLATILE AS $fn$
  BEGIN
    INSERT INTO executions (skill_id, version, agent_id, started_at, duration_ms, outcome, error)
      VALUES (run_skill, run_version, run_agent, run_started, run_ms, run_outcome, run_error)
      RETURNING seq INTO logged_seq;
    UPDATE skills SET executions = executions + 1, successes = successes + run_ok, failures = failures + run_failed,
      timeouts = timeouts + run_timed_out, total_duration_ms = total_duration_ms + run_ms, last_executed_at = run_now
      WHERE id = run_skill;
    IF FOUND THEN
      INSERT INTO duration_buckets AS b (skill_id, bucket, runs) VALUES (run_skill, run_bucket, 1)
        ON CONFLICT (skill_id, bucket) DO UPDATE SET runs = b.runs + 1;
      SELECT array_agg(b.bucket ORDER BY b.bucket), array_agg(b.runs::double precision ORDER BY b.bucket)
        INTO bucket_ids, bucket_runs FROM duration_buckets b WHERE b.skill_id = run_skill;
    END IF;
  END
  $fn$;
  `,
  // 3: embeddings of an optional Embedder, per skill version and model.
  `
  CREATE TABLE skill_embeddings (
    skill_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    model text NOT NULL,
    vector bytea NOT NULL,
    PRIMARY KEY (skill_id, model, version)
  );
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** First key of the advisory lock that serialises migrations (the second is the schema's hash). */
const MIGRATION_LOCK = 0x5c111b;

/**
 * Creates the schema if it is missing and brings its tables up to date, in one transaction
 * under `pg_advisory_xact_lock`: safe when many processes open the same store at once.
 * Throws when the store was written by a newer skill-library.
 */
export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK, schema]);
    const exists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    // Only create when missing: CREATE SCHEMA checks the CREATE privilege even with IF NOT EXISTS.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS skill_library_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ current: number | null }>("SELECT max(version) AS current FROM skill_library_migrations");
    const current = rows[0]?.current ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the store was written by a newer skill-library (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade skill-library`,
      );
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version - 1] as string);
      await client.query("INSERT INTO skill_library_migrations (version) VALUES ($1)", [version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
