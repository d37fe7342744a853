import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { PgliteServer } from "./pglite-server.js";

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

/** The real PostgreSQL server of the tests: env `SKILL_LIBRARY_TEST_PG_URL`, else the local one. */
export const PG_BASE_URL = process.env["SKILL_LIBRARY_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** Test schemas are named `sl_test_<base-36 ms>_<pid>_<n>`; ones older than this are dropped. */
const PG_SCHEMA_PREFIX = "sl_test_";
const PG_SCHEMA_MAX_AGE_MS = 600_000;
let pgCounter = 0;

/** A URL of a fresh, empty schema at `PG_URL` (the store creates it on first use). */
export function pgSchemaUrl(): string {
  const url = new URL(PG_URL);
  url.searchParams.set("schema", `${PG_SCHEMA_PREFIX}${Date.now().toString(36)}_${process.pid}_${++pgCounter}`);
  return url.toString();
}

/** The schema name inside a URL made by `pgSchemaUrl()`. */
export function pgSchemaOf(url: string): string {
  return new URL(url).searchParams.get("schema") ?? "public";
}

/**
 * Where the PostgreSQL tests run:
 * - `"server"`: the real server at `PG_BASE_URL` answered (old test schemas were swept), or it
 *   did not but env `SKILL_LIBRARY_REQUIRE_PG` (or `CI`) is set, so the tests run and fail;
 * - `"pglite"`: no server answered, or env `SKILL_LIBRARY_TEST_PG=pglite` asked for it: the
 *   conformance suite runs on PGlite, in this process (`PgliteServer`), and the tests that need
 *   a real server (several processes, killed connections, …) are skipped.
 */
export const PG_MODE: "server" | "pglite" = await choosePostgres();

/** Whether the real PostgreSQL server is there for the tests that need one (not PGlite). */
export const PG_AVAILABLE: boolean = PG_MODE === "server";

function say(text: string): void {
  console.log(`[skill-library tests] postgres: ${text}`);
}

async function choosePostgres(): Promise<"server" | "pglite"> {
  const shown = PG_BASE_URL.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  const onPglite = "the conformance suite runs on PGlite (PostgreSQL in WASM, in this process), NOT on a real server; the tests that need a real server are SKIPPED";
  const required = Boolean(process.env["SKILL_LIBRARY_REQUIRE_PG"] || process.env["CI"]);
  if (process.env["SKILL_LIBRARY_TEST_PG"] === "pglite") {
    if (required) throw new Error("SKILL_LIBRARY_TEST_PG=pglite contradicts SKILL_LIBRARY_REQUIRE_PG (or CI): unset one of them");
    say(`SKILL_LIBRARY_TEST_PG=pglite: ${onPglite}`);
    return "pglite";
  }
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
    say(`using the real server at ${shown}`);
    return "server";
  } catch (error) {
    const why = `no server at ${shown} (${(error as Error).message})`;
    if (required) {
      say(`${why}; SKILL_LIBRARY_REQUIRE_PG (or CI) is set, so the postgres tests run and fail`);
      return "server";
    }
    say(`${why}; ${onPglite} (set SKILL_LIBRARY_REQUIRE_PG=1 to fail instead)`);
    return "pglite";
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Where the PostgreSQL store tests connect: `PG_BASE_URL`, or in pglite mode the URL of this
 * process's `PgliteServer` (its database is made on the first query, in several seconds).
 */
export const PG_URL: string = PG_MODE === "server" ? PG_BASE_URL : (await PgliteServer.start()).url;

/** Every store the shared suite must pass. */
export const STORES: StoreUnderTest[] = [
  { name: "sqlite", url: () => join(dir, `store-${process.pid}-${++counter}.db`) },
  { name: PG_MODE === "server" ? "postgres" : "postgres on pglite", url: pgSchemaUrl },
];
