import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A store the conformance suite runs against: `url()` gives a fresh, empty store each call. */
export interface StoreUnderTest {
  name: string;
  url(): string;
}

/** A fresh temporary folder for a test file's store files. */
export function tempDir(prefix = "skill-library-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let counter = 0;
const dir = tempDir();

/** The PostgreSQL server of the tests: env `SKILL_LIBRARY_TEST_PG_URL`, else the local one. */
export const PG_BASE_URL = process.env["SKILL_LIBRARY_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** Test schemas are named `sl_test_<base-36 ms>_<pid>_<n>`; ones older than this are dropped. */
const PG_SCHEMA_PREFIX = "sl_test_";
const PG_SCHEMA_MAX_AGE_MS = 600_000;
let pgCounter = 0;

/** A URL of a fresh, empty schema on the test server (the store creates it on first use). */
export function pgSchemaUrl(): string {
  const url = new URL(PG_BASE_URL);
  url.searchParams.set("schema", `${PG_SCHEMA_PREFIX}${Date.now().toString(36)}_${process.pid}_${++pgCounter}`);
  return url.toString();
}

/** The schema name inside a URL made by `pgSchemaUrl()`. */
export function pgSchemaOf(url: string): string {
  return new URL(url).searchParams.get("schema") ?? "public";
}

/**
 * Whether the PostgreSQL suites run: the server answered (and old test schemas were swept),
 * or env `CI` is set (then an unreachable server fails the tests instead of skipping them).
 */
export const PG_AVAILABLE: boolean = await probePostgres();

async function probePostgres(): Promise<boolean> {
  const shown = PG_BASE_URL.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", [PG_SCHEMA_PREFIX]);
    for (const { nspname } of rows) {
      const born = parseInt(nspname.slice(PG_SCHEMA_PREFIX.length).split("_")[0] ?? "", 36);
      if (!(Date.now() - born > PG_SCHEMA_MAX_AGE_MS)) continue;
      await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`).catch(() => undefined);
    }
    console.log(`[skill-library tests] postgres: using the real server at ${shown}`);
    return true;
  } catch (error) {
    if (process.env["CI"]) {
      console.log(`[skill-library tests] postgres: no server at ${shown} (${(error as Error).message}); CI is set, so the postgres tests run and fail`);
      return true;
    }
    console.log(`[skill-library tests] postgres: no server at ${shown} (${(error as Error).message}); SKIPPING the postgres store (set CI=1 to fail instead)`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every store the shared suite must pass. */
export const STORES: StoreUnderTest[] = [
  { name: "sqlite", url: () => join(dir, `store-${process.pid}-${++counter}.db`) },
  ...(PG_AVAILABLE ? [{ name: "postgres", url: pgSchemaUrl }] : []),
];
