import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SkillInput } from "../../src/index.js";
import { formatSize, type BenchOptions } from "../bench-options.js";
import { generateSkills, random } from "../generate-skills.js";
import { connectPostgres, type PostgresServer } from "../postgres-server.js";
import { record, recordSkipped } from "../report.js";
import { HashedStemEmbedder } from "../test-embedder.js";
import { alternate, type LoopFigures } from "../timed-loop.js";
import { openInMemoryStore, openPostgresStore } from "./langgraph-stores.js";
import { OurPeerStore } from "./our-peer-store.js";
import { recordPeerFeatures } from "./peer-features.js";
import type { PeerStore } from "./peer-store.js";

/** Each side of each timed operation runs this long (in two alternating rounds). */
const OP_TIME_MS = 800;

/** Whether our library called the test embedder in this run (undefined: no pair ran). */
let embedderUsed: boolean | undefined;

/** The test embedder's size (both sides). */
const DIMENSIONS = 128;

/** The ten categories of the generated skills; query k filters on category k mod 10. */
const CATEGORIES = ["browser", "data", "files", "comms", "devops", "finance", "search", "media", "auth", "general"];

/**
 * `npm run bench` peer suite: our library against LangGraph's JS stores on the same data and
 * the same calls, in the same run — ours on a SQLite file against `InMemoryStore`, ours on
 * PostgreSQL against `PostgresStore` on the same server — at every size of `options.sizes`
 * (PostgreSQL up to `options.postgresMaxSize`). Rows are throughput ratios ours / theirs
 * (> 1: we are faster), with both sides' p50 / p99 in `extra`.
 */
export async function benchPeers(options: BenchOptions): Promise<void> {
  embedderUsed = undefined;
  const server = await connectPostgres();
  if (typeof server === "string") recordSkipped(`peers on PostgreSQL: ${server}`);
  try {
    for (const size of options.sizes) {
      const data = generateSkills(size);
      const fresh = generateSkills(2_000, 99).skills.map((s, i) => ({ ...s, id: `fresh_${i}` }));
      const file = join(tmpdir(), `skill-library-peers-${process.pid}-${size}.db`);
      try {
        await comparePair("in-memory", size, data, fresh, async () => [
          await OurPeerStore.open("ours (SQLite file)", file, size, new HashedStemEmbedder(DIMENSIONS)),
          openInMemoryStore(new HashedStemEmbedder(DIMENSIONS)),
        ]);
      } catch (error) {
        recordSkipped(`peers-in-memory @ ${formatSize(size)} failed: ${(error as Error).message.slice(0, 300)}`);
      } finally {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
      }
      if (typeof server === "string") continue;
      if (size > options.postgresMaxSize) {
        recordSkipped(`peers on PostgreSQL at ${formatSize(size)} skills (above BENCH_PG_MAX=${formatSize(options.postgresMaxSize)})`);
        continue;
      }
      await postgresPair(server, size, data, fresh).catch((error: unknown) =>
        recordSkipped(`peers-postgres @ ${formatSize(size)} failed: ${(error as Error).message.slice(0, 300)}`),
      );
    }
  } finally {
    if (typeof server !== "string") await server.close();
  }
  recordPeerFeatures(embedderUsed);
}

/** Ours on PostgreSQL against `PostgresStore`, each in a fresh schema dropped after. */
async function postgresPair(server: PostgresServer, size: number, data: { skills: SkillInput[]; queries: string[] }, fresh: SkillInput[]): Promise<void> {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const ourSchema = `bench_peers_ours_${tag}`;
  const theirSchema = `bench_peers_lg_${tag}`;
  try {
    // Both sides embed only where both can: PostgresStore needs pgvector for it, and without it
    // our side making and storing a vector on every put would be work theirs does not do.
    const embedder = () => (server.hasPgvector ? new HashedStemEmbedder(DIMENSIONS) : undefined);
    await comparePair("postgres", size, data, fresh, async () => [
      await OurPeerStore.open("ours (PostgreSQL)", server.withSchema(ourSchema), size, embedder()),
      await openPostgresStore(server.url, theirSchema, embedder()),
    ]);
  } finally {
    await server.dropSchema(ourSchema);
    await server.dropSchema(theirSchema);
  }
}

/** Loads both sides, times every operation on both, records one row per operation. */
async function comparePair(
  pair: "in-memory" | "postgres",
  size: number,
  data: { skills: SkillInput[]; queries: string[] },
  fresh: SkillInput[],
  open: () => Promise<[OurPeerStore, PeerStore]>,
): Promise<void> {
  const [ours, theirs] = await open();
  try {
    const oursLoad = await timeLoad(ours, data.skills);
    const theirsLoad = await timeLoad(theirs, data.skills);
    const row = (op: string, o: LoopFigures, t: LoopFigures, note?: string) =>
      record({
        suite: `peers-${pair}`,
        name: `${op} @ ${formatSize(size)}`,
        unit: "ops/s",
        ours: o.opsPerSec,
        baseline: t.opsPerSec,
        baselineName: theirs.name,
        ratio: o.opsPerSec / t.opsPerSec,
        size,
        curve: { chart: `peers-${pair}`, series: op, x: size },
        extra: { p50: o.p50, p99: o.p99, baselineP50: t.p50, baselineP99: t.p99, samples: o.samples, baselineSamples: t.samples },
        ...(note ? { note } : {}),
      });
    record({
      suite: `peers-${pair}`,
      name: `put batch (load ${formatSize(size)} skills) @ ${formatSize(size)}`,
      unit: "skills/s",
      ours: oursLoad,
      baseline: theirsLoad,
      baselineName: theirs.name,
      ratio: oursLoad / theirsLoad,
      size,
      curve: { chart: `peers-${pair}`, series: "put batch", x: size },
      note: `ours: batchAddSkills (one transaction)${ours.usedEmbedder ? ", embedding every skill" : ""}; theirs: batch() of puts${pair === "postgres" ? " (one INSERT per put, 1,000 puts per call)" : " (one call)"}${theirs.embeds ? ", embedding every item's text" : ""}`,
    });

    const pick = random(size + 17);
    const ids = data.skills.map((s) => s.id);
    const someId = () => ids[Math.floor(pick() * ids.length)] as string;
    let oursPut = 0;
    let theirsPut = 0;
    let oursQ = 0;
    let theirsQ = 0;
    let oursL = 0;
    let theirsL = 0;
    const q = (k: number) => [data.queries[k % data.queries.length] as string, CATEGORIES[k % CATEGORIES.length] as string] as const;
    const ops: { op: string; note: string; time: () => Promise<{ a: LoopFigures; b: LoopFigures }> }[] = [
      {
        op: "put single",
        note: "a new skill each call; ours validates, hashes and saves the skill and a version row in one transaction",
        time: () => alternate(() => ours.put(withId(fresh, oursPut++)), () => theirs.put(withId(fresh, theirsPut++)), { durationMs: OP_TIME_MS, maxSamples: fresh.length / 4 }),
      },
      {
        op: "get (ours cached)",
        note: "ours: a cache hit (every skill read once first); theirs: their only get",
        time: async () => {
          for (const id of ids) await ours.get(id);
          return alternate(() => ours.get(someId()), () => theirs.get(someId()), { durationMs: OP_TIME_MS });
        },
      },
      {
        op: "get (ours uncached)",
        note: "ours: getSkill({ useCache: false }), a store read; theirs: their only get",
        time: () => alternate(() => ours.getUncached(someId()), () => theirs.getUncached(someId()), { durationMs: OP_TIME_MS }),
      },
      {
        op: "search text + category filter",
        note: "", // written after the calls (below)
        time: async () => {
          for (let k = 0; k < 20; k++) await ours.search(...q(k));
          return alternate(() => ours.search(...q(oursQ++)), () => theirs.search(...q(theirsQ++)), { durationMs: OP_TIME_MS * 2, minSamples: 3 });
        },
      },
      {
        op: "list by category (no query)",
        note: "ours: listSkills({ category, limit: 10 }); theirs: search(ns, { filter: { category }, limit: 10 })",
        time: () =>
          alternate(
            () => ours.list(CATEGORIES[oursL++ % CATEGORIES.length] as string),
            () => theirs.list(CATEGORIES[theirsL++ % CATEGORIES.length] as string),
            { durationMs: OP_TIME_MS },
          ),
      },
    ];
    for (const { op, note, time } of ops) {
      try {
        const { a, b } = await time();
        // The search note is read after the calls: only then do we know whether ours used the embedder.
        row(op, a, b, op.startsWith("search") ? `top 10; ${ours.searchNote}; ${theirs.searchNote}` : note);
      } catch (error) {
        recordSkipped(`peers-${pair} ${op} @ ${formatSize(size)} failed: ${(error as Error).message.slice(0, 300)}`);
      }
    }
  } finally {
    embedderUsed = (embedderUsed ?? false) || ours.usedEmbedder;
    await ours.close();
    await theirs.close();
  }
}

/** Skills per second of one side's batch load. */
async function timeLoad(side: PeerStore, skills: readonly SkillInput[]): Promise<number> {
  const started = performance.now();
  await side.load(skills);
  return skills.length / ((performance.now() - started) / 1000);
}

/** The k-th fresh skill (cycling), with an id no other call used. */
function withId(fresh: readonly SkillInput[], k: number): SkillInput {
  const base = fresh[k % fresh.length] as SkillInput;
  return { ...base, id: `${base.id}_${k}` };
}
