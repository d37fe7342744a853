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
  // 4: a single save in one statement, so one round trip and no BEGIN/COMMIT: `skill_library_save`
  // locks the row, compares and swaps, writes the skill, its version row and its embedding, and
  // sends the notice. Each statement in it reads a fresh snapshot, so the row read after the lock
  // is the latest one. A save runs in its own implicit transaction, so a connection lost before
  // the answer leaves its outcome unknown: the caller then sends the same request again, and the
  // request id, kept with the version row (unique), makes the function answer with the version
  // the first try wrote instead of saving twice (see `saveAlone`).
  `
  ALTER TABLE skill_versions ADD COLUMN request_id uuid;
  CREATE UNIQUE INDEX skill_versions_request ON skill_versions (request_id) WHERE request_id IS NOT NULL;
  CREATE FUNCTION skill_library_save(
    save_request uuid, save_skill text, save_expected integer, save_content text, save_hash text, save_category text,
    save_tags text[], save_search tsvector, save_now timestamptz, save_author text, save_message text,
    save_model text, save_vector bytea, save_channel text, save_payload text,
    OUT result_outcome text, OUT result_version integer, OUT result_saved_at timestamptz
  ) LANGUAGE plpgsql VOLATILE AS $fn$
  DECLARE
    current_version integer;
    current_hash text;
    current_at timestamptz;
  BEGIN
    FOR attempt IN 1..5 LOOP
      SELECT s.version, s.hash, s.updated_at INTO current_version, current_hash, current_at
        FROM skills s WHERE s.id = save_skill FOR UPDATE;
      IF save_request IS NOT NULL THEN
        SELECT v.version, v.saved_at INTO result_version, result_saved_at FROM skill_versions v WHERE v.request_id = save_request;
        IF FOUND THEN
          result_outcome := 'saved';
          RETURN;
        END IF;
      END IF;
      IF save_expected IS NOT NULL AND save_expected <> coalesce(current_version, 0) THEN
        result_outcome := 'conflict';
        result_version := coalesce(current_version, 0);
        RETURN;
      END IF;
      IF current_hash = save_hash THEN
        result_outcome := 'unchanged';
        result_version := current_version;
        result_saved_at := current_at;
        RETURN;
      END IF;
      IF current_version IS NULL THEN
        -- Version numbers continue after a delete; a writer that created the id meanwhile makes this insert nothing.
        INSERT INTO skills AS s (id, version, content, hash, category, tags, search, created_at, updated_at)
          VALUES (save_skill, (SELECT coalesce(max(v.version), 0) + 1 FROM skill_versions v WHERE v.skill_id = save_skill),
            save_content, save_hash, save_category, save_tags, save_search, save_now, save_now)
          ON CONFLICT (id) DO NOTHING RETURNING s.version INTO result_version;
      ELSE
        UPDATE skills s SET version = s.version + 1, content = save_content, hash = save_hash, category = save_category,
          tags = save_tags, search = save_search, updated_at = save_now
          WHERE s.id = save_skill RETURNING s.version INTO result_version;
      END IF;
      IF result_version IS NOT NULL THEN
        INSERT INTO skill_versions (skill_id, version, saved_at, hash, author, message, content, request_id)
          VALUES (save_skill, result_version, save_now, save_hash, save_author, save_message, save_content, save_request);
        IF save_model IS NOT NULL THEN
          INSERT INTO skill_embeddings (skill_id, version, model, vector) VALUES (save_skill, result_version, save_model, save_vector)
            ON CONFLICT (skill_id, model, version) DO UPDATE SET vector = excluded.vector;
        END IF;
        IF save_channel IS NOT NULL THEN
          PERFORM pg_notify(save_channel, save_payload);
        END IF;
        result_outcome := 'saved';
        result_saved_at := save_now;
        RETURN;
      END IF;
    END LOOP;
    RAISE EXCEPTION 'skill "%" kept changing while it was being saved; retry', save_skill;
  END
  $fn$;
  `,
  // 5: a skill's content is written once, as on SQLite (its migration 3): the version row of the
  // current version holds '' and reads take the content from the skill row; when the skill row
  // moves to another version or is deleted, these triggers copy the content into that '' row in
  // the same statement, whoever writes (a process still running older code too).
  // `skill_library_put` is the single save of this schema: on a first try, one statement does the
  // work (an upsert whose `WHERE` is the compare-and-swap, with the version row), with no row lock
  // taken before it and no request-id lookup (the id is new); only a save that wrote nothing reads
  // the row, for its answer (conflict or unchanged). A resend after a lost answer first waits for
  // the row's lock (a first try still running holds it) and looks the request id up among the
  // skill's versions; when its first try was still creating the skill (no row to lock yet), the
  // upsert waits for that try instead, so a resend that wrote nothing looks once more. The unique
  // index on request ids goes: it cost about a fifth of a save's server time, and a lookup among
  // one skill's versions needs none.
  // `skill_library_save`, called by processes still running older code, becomes a resend of
  // `skill_library_put` whenever it has a request id (it cannot tell a first try from a resend).
  `
  CREATE FUNCTION skill_library_keep_content() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    UPDATE skill_versions SET content = OLD.content WHERE skill_id = OLD.id AND version = OLD.version AND content = '';
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END
  $fn$;
  CREATE TRIGGER skills_keep_superseded_content BEFORE UPDATE OF version ON skills
    FOR EACH ROW WHEN (OLD.version <> NEW.version) EXECUTE FUNCTION skill_library_keep_content();
  CREATE TRIGGER skills_keep_deleted_content BEFORE DELETE ON skills
    FOR EACH ROW EXECUTE FUNCTION skill_library_keep_content();
  CREATE FUNCTION skill_library_put(
    put_request uuid, put_resent boolean, put_skill text, put_expected integer, put_content text, put_hash text, put_category text,
    put_tags text[], put_search tsvector, put_now timestamptz, put_author text, put_message text,
    put_model text, put_vector bytea, put_channel text, put_payload text,
    OUT result_outcome text, OUT result_version integer, OUT result_saved_at timestamptz
  ) LANGUAGE plpgsql VOLATILE AS $fn$
  DECLARE
    current_version integer;
    current_hash text;
    current_at timestamptz;
  BEGIN
    FOR attempt IN 1..5 LOOP
      IF put_resent THEN
        PERFORM FROM skills s WHERE s.id = put_skill FOR UPDATE;
        SELECT v.version, v.saved_at INTO result_version, result_saved_at FROM skill_versions v
          WHERE v.skill_id = put_skill AND v.request_id = put_request;
        IF FOUND THEN
          result_outcome := 'saved';
          RETURN;
        END IF;
      END IF;
      IF put_expected IS NULL OR put_expected = 0 THEN
        -- Insert, or update when the id exists (the row is then locked, and its latest version checked). Version
        -- numbers continue after a delete.
        WITH saved AS (
          INSERT INTO skills AS s (id, version, content, hash, category, tags, search, created_at, updated_at)
            VALUES (put_skill, (SELECT coalesce(max(v.version), 0) + 1 FROM skill_versions v WHERE v.skill_id = put_skill),
              put_content, put_hash, put_category, put_tags, put_search, put_now, put_now)
            ON CONFLICT (id) DO UPDATE SET version = s.version + 1, content = excluded.content, hash = excluded.hash,
              category = excluded.category, tags = excluded.tags, search = excluded.search, updated_at = excluded.updated_at
            WHERE put_expected IS NULL AND s.hash <> excluded.hash
            RETURNING s.version)
        INSERT INTO skill_versions (skill_id, version, saved_at, hash, author, message, content, request_id)
          SELECT put_skill, saved.version, put_now, put_hash, put_author, put_message, '', put_request FROM saved
          RETURNING version INTO result_version;
      ELSE
        WITH saved AS (
          UPDATE skills s SET version = s.version + 1, content = put_content, hash = put_hash, category = put_category,
            tags = put_tags, search = put_search, updated_at = put_now
            WHERE s.id = put_skill AND s.version = put_expected AND s.hash <> put_hash
            RETURNING s.version)
        INSERT INTO skill_versions (skill_id, version, saved_at, hash, author, message, content, request_id)
          SELECT put_skill, saved.version, put_now, put_hash, put_author, put_message, '', put_request FROM saved
          RETURNING version INTO result_version;
      END IF;
      IF result_version IS NOT NULL THEN
        IF put_model IS NOT NULL THEN
          INSERT INTO skill_embeddings (skill_id, version, model, vector) VALUES (put_skill, result_version, put_model, put_vector)
            ON CONFLICT (skill_id, model, version) DO UPDATE SET vector = excluded.vector;
        END IF;
        IF put_channel IS NOT NULL THEN
          PERFORM pg_notify(put_channel, put_payload);
        END IF;
        result_outcome := 'saved';
        result_saved_at := put_now;
        RETURN;
      END IF;
      -- Nothing written. A resend looks its id up again: the upsert may have waited for its first try.
      IF put_resent AND attempt = 1 THEN
        CONTINUE;
      END IF;
      -- The answer from the row as it stands (locked by the upsert, when it exists).
      SELECT s.version, s.hash, s.updated_at INTO current_version, current_hash, current_at FROM skills s WHERE s.id = put_skill;
      IF put_expected IS NOT NULL AND put_expected <> coalesce(current_version, 0) THEN
        result_outcome := 'conflict';
        result_version := coalesce(current_version, 0);
        RETURN;
      END IF;
      IF current_hash = put_hash THEN
        result_outcome := 'unchanged';
        result_version := current_version;
        result_saved_at := current_at;
        RETURN;
      END IF;
    END LOOP;
    RAISE EXCEPTION 'skill "%" kept changing while it was being saved; retry', put_skill;
  END
  $fn$;
  DROP INDEX skill_versions_request;
  CREATE OR REPLACE FUNCTION skill_library_save(
    save_request uuid, save_skill text, save_expected integer, save_content text, save_hash text, save_category text,
    save_tags text[], save_search tsvector, save_now timestamptz, save_author text, save_message text,
    save_model text, save_vector bytea, save_channel text, save_payload text,
    OUT result_outcome text, OUT result_version integer, OUT result_saved_at timestamptz
  ) LANGUAGE sql VOLATILE AS $fn$
    SELECT * FROM skill_library_put(save_request, save_request IS NOT NULL, save_skill, save_expected, save_content, save_hash,
      save_category, save_tags, save_search, save_now, save_author, save_message, save_model, save_vector, save_channel, save_payload)
  $fn$;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** First key of the advisory lock that serialises migrations (the second is the schema's hash). */
const MIGRATION_LOCK = 0x5c111b;

/**
 * Creates the schema if it is missing and brings its tables up to date, in one transaction
 * under `pg_advisory_xact_lock`: safe when many processes open the same store at once.
 * Throws when the store was written by a newer skill-library. `to` stops at an older schema
 * version (tests of a migration).
 */
export async function migrate(client: pg.ClientBase, schema: string, options: { to?: number } = {}): Promise<void> {
  const target = options.to ?? SCHEMA_VERSION;
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
    for (let version = current + 1; version <= target; version++) {
      await client.query(MIGRATIONS[version - 1] as string);
      await client.query("INSERT INTO skill_library_migrations (version) VALUES ($1)", [version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
