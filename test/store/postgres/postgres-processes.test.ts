import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSkillLibrary, type SkillLibrary } from "../../../src/index.js";
import { type Child, startChild } from "../../support/processes.js";
import { skill, waitFor } from "../../support/skills.js";
import { PG_AVAILABLE, PG_BASE_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

// Real child processes (test/support/child.mjs, which runs the built package in dist/) on one
// PostgreSQL schema each test: what many machines do, minus the network.

/** The same URL with `application_name` set, so the test can find that process's backends. */
function named(url: string, app: string): string {
  const withName = new URL(url);
  withName.searchParams.set("application_name", app);
  return withName.toString();
}

describe.skipIf(!PG_AVAILABLE)("postgres: many processes on one schema", () => {
  let admin: pg.Client;
  const libraries: SkillLibrary[] = [];
  const children: Child[] = [];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_BASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
    await Promise.all(libraries.map((library) => library.close()));
    await admin.end();
  });

  async function open(url: string): Promise<SkillLibrary> {
    const library = await openSkillLibrary({ store: url });
    libraries.push(library);
    return library;
  }

  function start(command: string, url: string, ...args: string[]): Child {
    const child = startChild(command, url, ...args);
    children.push(child);
    return child;
  }

  it("8 processes × 500 runs of one skill: exactly 4000 executions recorded, the p95 within 3 % of the log's", async () => {
    const url = pgSchemaUrl();
    const schema = pgSchemaOf(url);
    const library = await open(url);
    await library.addSkill(skill("counted", { code: "async () => 1" }));
    // Each child binds an in-process handler to the id: the runs go through the library and the
    // store like any other (sandboxed runs add only CPU on this 2-CPU machine, not store work).
    const runners = Array.from({ length: 8 }, () => start("handler-execute", url, "counted", "500"));
    await Promise.all(runners.map((c) => c.next((e) => e["ready"] === true)));
    for (const runner of runners) runner.send("go");
    const done = await Promise.all(runners.map((c) => c.next((e) => "ok" in e)));
    expect(done.map((d) => d["ok"])).toEqual(Array(8).fill(500));
    expect(await Promise.all(runners.map((c) => c.exited))).toEqual(Array(8).fill(0));

    const stats = (await library.getSkill("counted", { useCache: false }))?.stats;
    expect(stats).toMatchObject({ executions: 4000, successes: 4000, failures: 0, timeouts: 0, successRate: 1 });
    expect((await library.getSkill("counted", { useCache: false }))?.version).toBe(1);
    const { rows: logged } = await admin.query<{ n: number; agents: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT agent_id)::int AS agents FROM "${schema}".executions WHERE skill_id = 'counted'`,
    );
    expect(logged[0]).toEqual({ n: 4000, agents: 8 });
    const { rows: buckets } = await admin.query<{ n: number }>(`SELECT sum(runs)::int AS n FROM "${schema}".duration_buckets WHERE skill_id = 'counted'`);
    expect(buckets[0]?.n).toBe(4000);
    const { rows: exact } = await admin.query<{ p95: number }>(
      `SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 FROM "${schema}".executions WHERE skill_id = 'counted'`,
    );
    const p95 = exact[0]?.p95 as number;
    expect(Math.abs((stats?.p95DurationMs ?? 0) - p95) / p95).toBeLessThan(0.03);
  }, 90_000);

  it("16 processes racing one expectedVersion: exactly one wins, history has no gap", async () => {
    const url = pgSchemaUrl();
    const schema = pgSchemaOf(url);
    const library = await open(url);
    await library.addSkill(skill("contested"));
    const racers = Array.from({ length: 16 }, () => start("race", url, "contested", "1"));
    await Promise.all(racers.map((c) => c.next((e) => e["ready"] === true)));
    for (const racer of racers) racer.send("go");
    const results = await Promise.all(racers.map((c) => c.next((e) => "won" in e || "lost" in e)));
    expect(results.filter((r) => r["won"] === 2)).toHaveLength(1);
    expect(results.filter((r) => r["lost"] === "VERSION_CONFLICT" && r["actual"] === 2)).toHaveLength(15);
    expect(await Promise.all(racers.map((c) => c.exited))).toEqual(Array(16).fill(0));
    expect((await library.getVersionHistory("contested")).map((h) => h.version)).toEqual([1, 2]);
    const { rows } = await admin.query(`SELECT version, hash FROM "${schema}".skills WHERE id = 'contested'`);
    const { rows: history } = await admin.query(`SELECT version, hash FROM "${schema}".skill_versions WHERE skill_id = 'contested' ORDER BY version`);
    expect(rows).toEqual([history[1]]);
  }, 60_000);

  it("a process SIGKILLed in the middle of batchAddSkills leaves whole batches only", async () => {
    const url = pgSchemaUrl();
    const schema = pgSchemaOf(url);
    const app = `${schema}_batches`;
    const size = 250;
    await open(url); // creates the schema, so the writer starts at once
    const writer = start("batches", named(url, app), String(size));
    const acknowledged = await writer.next((e) => e["batch"] === 3);
    expect(acknowledged).toEqual({ batch: 3 });
    // Kill it while its next batch transaction is open and has written rows.
    await waitFor(async () => {
      const { rows } = await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND backend_xid IS NOT NULL AND state <> 'idle'",
        [app],
      );
      return rows.length > 0;
    }, 10_000, "the writer's next batch to be in progress");
    writer.process.kill("SIGKILL");
    await writer.exited;
    // The server rolls back what the dead connection left open; after that nothing can commit.
    await waitFor(async () => {
      const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [app]);
      return rows.length === 0;
    }, 10_000, "the killed writer's backends to end");

    const { rows: counts } = await admin.query<{ batch: number; n: number }>(
      `SELECT b AS batch, (SELECT count(*)::int FROM "${schema}".skills WHERE id LIKE 'b' || b || '-%') AS n
       FROM generate_series(0, (SELECT max(split_part(substr(id, 2), '-', 1)::int) + 1 FROM "${schema}".skills)) AS b ORDER BY b`,
    );
    const whole = counts.filter((c) => c.n === size).map((c) => c.batch);
    expect(counts.filter((c) => c.n !== 0 && c.n !== size)).toEqual([]);
    expect(whole.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(whole).toEqual(whole.map((_, i) => i)); // batches commit in order: no hole
    const { rows: orphans } = await admin.query(
      `SELECT s.id FROM "${schema}".skills s WHERE NOT EXISTS
         (SELECT 1 FROM "${schema}".skill_versions v WHERE v.skill_id = s.id AND v.version = s.version AND v.hash = s.hash)`,
    );
    expect(orphans).toEqual([]);
    const { rows: versions } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".skill_versions`);
    expect(versions[0]?.n).toBe(whole.length * size);

    const reopened = await open(url);
    expect((await reopened.listSkills({ limit: Infinity })).length).toBe(whole.length * size);
  }, 60_000);

  it("a cached reader sees another process's write within 100 ms", async () => {
    const url = pgSchemaUrl();
    const library = await open(url);
    await library.addSkill(skill("shared", { name: "first" }));
    expect((await library.getSkill("shared"))?.name).toBe("first");
    const hits = library.cacheStats()?.hits ?? 0;
    expect((await library.getSkill("shared"))?.name).toBe("first");
    expect(library.cacheStats()?.hits).toBe(hits + 1); // served from the cache
    const writer = start("write", url, "shared", "second");
    await writer.next((e) => e["version"] === 2);
    await waitFor(async () => (await library.getSkill("shared"))?.name === "second", 100, "the other process's write");
    expect(await writer.exited).toBe(0);
  }, 30_000);
});
