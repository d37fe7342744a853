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
