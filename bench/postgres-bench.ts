import pg from "pg";
import { Bench } from "tinybench";
import { openSkillLibrary, type SkillInput, type SkillLibrary } from "../dist/index.js";
import { startChild } from "../test/support/processes.js";
import { generateSkills } from "./generate-skills.js";
import { record } from "./report.js";
import { benchCachedGet, percentiles } from "./timing.js";

/** The server: env `SKILL_LIBRARY_BENCH_PG_URL`, else the tests' `SKILL_LIBRARY_TEST_PG_URL`, else the local one. */
const BASE_URL =
  process.env["SKILL_LIBRARY_BENCH_PG_URL"] ?? process.env["SKILL_LIBRARY_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** Processes recording runs of one skill at once, and runs each. */
const METRIC_PROCESSES = 8;
const RUNS_PER_PROCESS = 150;
/** Write-to-visible samples of the change feed. */
const EVICT_SAMPLES = 100;

/**
 * The PostgreSQL store against raw `pg` baselines, in the same run, on a fresh schema that is
 * dropped at the end. The metric row spawns `test/support/child.mjs`, which runs the built
 * package: `npm run bench` builds first.
 */
export async function benchPostgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 3000 });
  admin.on("error", () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    console.error(`postgres   skipped: no server at ${BASE_URL.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@")} (${(error as Error).message})`);
    await admin.end().catch(() => undefined);
    return;
  }
  const schema = `sl_bench_${Date.now().toString(36)}_${process.pid}`;
  const url = new URL(BASE_URL);
  url.searchParams.set("schema", schema);
  const { skills, queries } = generateSkills(10_000);
  const library = await openSkillLibrary({ store: url.toString(), cache: { max: 20_000, ttlMs: 3_600_000 } });
  const raw = new pg.Client({ connectionString: BASE_URL, options: `-c search_path="${schema}"` });
  try {
    await raw.connect();
    await batchAdd(library, raw, skills);
    await gets(library, raw, skills);
    await search(library, raw, queries);
    await writes(library);
    await metricsFromProcesses(library, url.toString());
    await notifyToEvict(library, url.toString());
  } finally {
    await library.close();
    await raw.end().catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

/** batchAddSkills of 10k new skills (one transaction) against a multi-row INSERT of id + JSON. */
async function batchAdd(library: SkillLibrary, raw: pg.Client, skills: SkillInput[]): Promise<void> {
  const started = performance.now();
  await library.batchAddSkills(skills);
  const ours = skills.length / ((performance.now() - started) / 1000);

  await raw.query("CREATE TABLE bench_raw (id text PRIMARY KEY, content text NOT NULL)");
  const rawStarted = performance.now();
  await raw.query("BEGIN");
  for (let from = 0; from < skills.length; from += 1000) {
    const chunk = skills.slice(from, from + 1000);
    const values = chunk.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(", ");
    await raw.query(`INSERT INTO bench_raw (id, content) VALUES ${values}`, chunk.flatMap((skill) => [skill.id, JSON.stringify(skill)]));
  }
  await raw.query("COMMIT");
  const baseline = skills.length / ((performance.now() - rawStarted) / 1000);
  await raw.query("DROP TABLE bench_raw");
  record({ suite: "postgres", name: "batchAddSkills 10k (one transaction)", unit: "skills/s", ours, baseline, baselineName: "raw multi-row INSERT id+JSON", ratio: ours / baseline });
}

async function gets(library: SkillLibrary, raw: pg.Client, skills: SkillInput[]): Promise<void> {
  const ids = skills.map((s) => s.id);
  await benchCachedGet("postgres", library, ids);

  const select = { name: "bench_get", text: "SELECT content FROM skills WHERE id = $1" };
  const { ours: uncached, baseline: rawUncached } = await compareAsync(
    (i) => library.getSkill(ids[i % ids.length] as string, { useCache: false }),
    async (i) => JSON.parse((await raw.query<{ content: string }>({ ...select, values: [ids[i % ids.length]] })).rows[0]?.content as string),
  );
  record({ suite: "postgres", name: "getSkill uncached", unit: "ops/s", ours: uncached, baseline: rawUncached, baselineName: "await pg prepared select + JSON.parse", ratio: uncached / rawUncached, target: "≥ 0.75 of raw", met: uncached / rawUncached >= 0.75 });
}

/**
 * `compareThroughput` for a baseline that is itself a network round trip: no synchronous
 * variant (called without `await`, it would only queue queries on the connection).
 */
async function compareAsync(ours: (i: number) => Promise<unknown>, baseline: (i: number) => Promise<unknown>, timeMs = 1500): Promise<{ ours: number; baseline: number }> {
  const opsPerIteration = 20;
  let i = 0;
  const bench = new Bench({ time: timeMs, warmupTime: 300 });
  bench
    .add("ours", async () => {
      for (let k = 0; k < opsPerIteration; k++) await ours(i++);
    })
    .add("baseline", async () => {
      for (let k = 0; k < opsPerIteration; k++) await baseline(i++);
    });
  await bench.run();
  const rate = (name: string) => {
    const result = bench.getTask(name)?.result;
    if (!result || !("latency" in result)) throw new Error(`bench task ${name} did not complete`);
    return (opsPerIteration * 1000) / result.latency.mean;
  };
  return { ours: rate("ours"), baseline: rate("baseline") };
}

/** Each side of the search row times every query once, or stops after this long (keeps the run under 3 minutes). */
const SEARCH_BUDGET_MS = 40_000;

async function search(library: SkillLibrary, raw: pg.Client, queries: string[]): Promise<void> {
  for (const q of queries.slice(0, 20)) await library.searchSkills(q, { useCache: false });
  const times: number[] = [];
  const until = performance.now() + SEARCH_BUDGET_MS;
  for (const q of queries) {
    const t = performance.now();
    await library.searchSkills(q, { useCache: false });
    times.push(performance.now() - t);
    if (t > until) break;
  }
  const ours = percentiles(times);
  // The same words OR-ed, ranked by the tsvector alone: what a hand-written query on this table does.
  const select = {
    name: "bench_search",
    text: "SELECT s.content FROM skills s, to_tsquery('simple', $1) q WHERE s.search @@ q ORDER BY ts_rank(s.search, q) DESC LIMIT 10",
  };
  const rawTimes: number[] = [];
  const rawUntil = performance.now() + SEARCH_BUDGET_MS;
  for (const q of queries) {
    const words = q.split(" ").map((w) => `'${w}'`).join(" | ");
    const t = performance.now();
    for (const row of (await raw.query<{ content: string }>({ ...select, values: [words] })).rows) JSON.parse(row.content);
    rawTimes.push(performance.now() - t);
    if (t > rawUntil) break;
  }
  const base = percentiles(rawTimes);
  const extra = { queries: times.length, baselineQueries: rawTimes.length };
  record({ suite: "postgres", name: "searchSkills 10k skills p50", unit: "ms", ours: ours.p50, baseline: base.p50, baselineName: "raw tsvector ts_rank top 10", ratio: base.p50 / ours.p50, extra });
  record({ suite: "postgres", name: "searchSkills 10k skills p99", unit: "ms", ours: ours.p99, baseline: base.p99, baselineName: "raw tsvector ts_rank top 10", ratio: base.p99 / ours.p99, extra });
}

/** One process's write latencies: a changed skill saved (one transaction, a new version), a run recorded. */
async function writes(library: SkillLibrary): Promise<void> {
  const skill = { id: "bench_written", name: "Written", description: "Saved again and again" };
  const saves: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await library.addSkill({ ...skill, description: `${skill.description} (${i})` });
    saves.push(performance.now() - t);
  }
  const save = percentiles(saves);
  record({ suite: "postgres", name: "addSkill (changed: new version) p50", unit: "ms", ours: save.p50 });
  record({ suite: "postgres", name: "addSkill (changed: new version) p99", unit: "ms", ours: save.p99 });
  library.registerHandler(skill.id, async () => 1);
  const runs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await library.executeSkill(skill.id);
    runs.push(performance.now() - t);
  }
  const run = percentiles(runs);
  record({ suite: "postgres", name: "executeSkill (handler; run recorded) p50", unit: "ms", ours: run.p50 });
  record({ suite: "postgres", name: "executeSkill (handler; run recorded) p99", unit: "ms", ours: run.p99 });
}

/** Runs of one skill recorded from 8 processes at once (in-process handlers: the store's work only). */
async function metricsFromProcesses(library: SkillLibrary, url: string): Promise<void> {
  await library.addSkill({ id: "bench_counted", name: "Counted", description: "Run from many processes", code: "async () => 1" });
  const children = Array.from({ length: METRIC_PROCESSES }, () => startChild("handler-execute", url, "bench_counted", String(RUNS_PER_PROCESS)));
  try {
    await Promise.all(children.map((c) => c.next((e) => e["ready"] === true)));
    const started = performance.now();
    for (const child of children) child.send("go");
    await Promise.all(children.map((c) => c.next((e) => "ok" in e)));
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(children.map((c) => c.exited));
    const executions = (await library.getSkill("bench_counted", { useCache: false }))?.stats.executions ?? 0;
    if (executions !== METRIC_PROCESSES * RUNS_PER_PROCESS) throw new Error(`recorded ${executions} runs, expected ${METRIC_PROCESSES * RUNS_PER_PROCESS}`);
    record({ suite: "postgres", name: `metric updates, ${METRIC_PROCESSES} processes, one skill`, unit: "runs/s", ours: executions / seconds });
  } finally {
    for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  }
}

/** From library A's write resolving to library B's cached getSkill returning the new version. */
async function notifyToEvict(b: SkillLibrary, url: string): Promise<void> {
  const a = await openSkillLibrary({ store: url });
  try {
    const skill = { id: "bench_probe", name: "Probe", description: "Changed by one library, read by another" };
    await a.addSkill(skill);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const times: number[] = [];
    for (let i = 0; i < EVICT_SAMPLES; i++) {
      await b.getSkill(skill.id); // cached from here on
      const { version } = await a.addSkill({ ...skill, description: `${skill.description} (${i})` });
      const written = performance.now();
      while ((await b.getSkill(skill.id))?.version !== version) await new Promise((resolve) => setTimeout(resolve, 1));
      times.push(performance.now() - written);
    }
    const { p50, p99 } = percentiles(times);
    record({ suite: "postgres", name: "notify-to-evict (write to seen) p50", unit: "ms", ours: p50, target: "≤ 100 ms", met: p50 <= 100 });
    record({ suite: "postgres", name: "notify-to-evict (write to seen) p99", unit: "ms", ours: p99, target: "≤ 100 ms", met: p99 <= 100 });
  } finally {
    await a.close();
  }
}
