import pg from "pg";

/** The server: env `SKILL_LIBRARY_BENCH_PG_URL`, else the tests' `SKILL_LIBRARY_TEST_PG_URL`, else the local one. */
export const BENCH_PG_URL =
  process.env["SKILL_LIBRARY_BENCH_PG_URL"] ?? process.env["SKILL_LIBRARY_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** A URL with its password hidden, for messages. */
export function shownUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

/** The bench's PostgreSQL server, when one answers. */
export interface PostgresServer {
  url: string;
  /** Whether the `vector` extension (pgvector) can be created there. */
  hasPgvector: boolean;
  /** `url` with `?schema=NAME` (our library's way to pick a schema). */
  withSchema(schema: string): string;
  /** Drops a schema and everything in it. */
  dropSchema(schema: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the bench's server, or resolves to undefined (with the reason) when none answers. */
export async function connectPostgres(url = BENCH_PG_URL): Promise<PostgresServer | string> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  admin.on("error", () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => undefined);
    return `no PostgreSQL server at ${shownUrl(url)} (${(error as Error).message})`;
  }
  const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'");
  return {
    url,
    hasPgvector: (rows[0] as { n: number }).n > 0,
    withSchema(schema) {
      const u = new URL(url);
      u.searchParams.set("schema", schema);
      return u.toString();
    },
    async dropSchema(schema) {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
    },
    close: () => admin.end(),
  };
}
