import { connect, createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreUnavailableError, openSkillLibrary, type SkillVersion } from "../../../src/index.js";
import { indexedText } from "../../../src/search/analyzer.js";
import { contentHash } from "../../../src/skill/content-hash.js";
import { normalizeSkill } from "../../../src/skill/validate-skill.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SaveRequest } from "../../../src/store/skill-store.js";
import { skill } from "../../support/skills.js";
import { PG_AVAILABLE, PG_BASE_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";


describe.skipIf(!PG_AVAILABLE)("postgres: connections killed in the middle of writes", () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_BASE_URL });
    await admin.connect();
  });
  afterAll(async () => admin.end());

  it("pg_terminate_backend of pool connections: no acknowledged write lost, no half transaction, the library keeps working", async () => {
    const url = pgSchemaUrl();
    const schema = pgSchemaOf(url);
    const app = `${schema}_w`;
    const library = await openSkillLibrary({ store: `${url}&application_name=${app}`, cache: false });
    await library.addSkill(skill("counted"));
    library.registerHandler("counted", async () => "ok");

    // Every third finished call kills all of the library's pool connections, so the other calls
    // in flight lose theirs mid-transaction; paced by progress, not by the clock, so a slow
    // (loaded) machine sees the same number of kills per call as a fast one.
    let kills = 0;
    let finished = 0;
    const killing: Promise<void>[] = [];
    const progress = () => {
      if (++finished % 3 !== 0) return;
      killing.push(
        admin
          .query<{ n: string }>(
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND query NOT LIKE 'LISTEN %'",
            [app],
          )
          .then(({ rows }) => void (kills += Number(rows[0]?.n))),
      );
    };

    const acknowledged = new Map<string, SkillVersion[]>();
    let refused = 0;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let round = 0; round < 25; round++) {
        const id = `w${round % 5}`;
        try {
          const saved = await library.addSkill(skill(id, { description: `writer ${writer} round ${round}` }));
          acknowledged.set(id, [...(acknowledged.get(id) ?? []), saved]);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          refused++;
        }
        progress();
      }
    });
    let runs = 0;
    let failedRuns = 0;
    const runners = Array.from({ length: 3 }, async () => {
      for (let round = 0; round < 20; round++) {
        try {
          await library.executeSkill("counted");
          runs++;
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          failedRuns++;
        }
        progress();
      }
    });
    let batches = 0;
    const batcher = (async () => {
      for (let round = 0; round < 10; round++) {
        try {
          const ids = Array.from({ length: 5 }, (_, i) => `b${round}_${i}`);
          await library.batchAddSkills(ids.map((id) => skill(id)));
          batches++;
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
        }
        progress();
      }
    })();
    await Promise.all([...writers, ...runners, batcher]);
    await Promise.all(killing);
    expect(kills).toBeGreaterThan(10);
    expect(refused + failedRuns).toBeLessThan(40); // retries absorb most kills (of 160 calls)

    const check = await openSkillLibrary({ store: url, cache: false });
    try {
      for (const [id, saved] of acknowledged) {
        const history = await check.getVersionHistory(id);
        expect(history.map((h) => h.version)).toEqual(history.map((_, i) => i + 1)); // no gap
        for (const version of saved) expect(history[version.version - 1]?.hash).toBe(version.hash); // nothing acknowledged is lost
        const last = history[history.length - 1];
        expect(await check.getVersion(id)).toMatchObject({ version: last?.version, hash: last?.hash });
      }
      // No half transaction: every skill row matches its newest version row, every batch is whole.
      const { rows: torn } = await admin.query(
        `SELECT s.id FROM "${schema}".skills s WHERE s.version <> (SELECT max(v.version) FROM "${schema}".skill_versions v WHERE v.skill_id = s.id)
           OR s.hash <> (SELECT v.hash FROM "${schema}".skill_versions v WHERE v.skill_id = s.id AND v.version = s.version)`,
      );
      expect(torn).toEqual([]);
      const { rows: partial } = await admin.query(
        `SELECT split_part(id, '_', 1) AS batch, count(*) AS n FROM "${schema}".skills WHERE id LIKE 'b%' GROUP BY 1 HAVING count(*) <> 5`,
      );
      expect(partial).toEqual([]);
      const { rows: batchRows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".skills WHERE id LIKE 'b%'`);
      expect(batchRows[0].n).toBeGreaterThanOrEqual(batches * 5);
      // Every acknowledged run counted exactly once; the counters match the execution log.
      const stats = (await check.getSkill("counted"))?.stats;
      expect(stats?.executions).toBeGreaterThanOrEqual(runs);
      expect(stats?.executions).toBeLessThanOrEqual(runs + failedRuns);
      const { rows: logged } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".executions WHERE skill_id = 'counted'`);
      expect(logged[0].n).toBe(stats?.executions);
    } finally {
      await check.close();
    }

    // The library itself still works after the storm.
    await expect(library.addSkill(skill("after"))).resolves.toMatchObject({ version: 1 });
    await expect(library.executeSkill("counted")).resolves.toBe("ok");
    await library.close();
  });
});

/**
 * A TCP proxy to the test server that breaks the next connection to send `marker` (the end of
 * a transaction: `COMMIT`, or a statement that is its own transaction): either before the
 * server sees it ("before") or after the server answered it ("after").
 */
async function commitBreakingProxy(): Promise<{ server: Server; url: (schemaUrl: string) => string; breakNext(when: "before" | "after", marker?: string): void; broken(): number }> {
  const target = new URL(PG_BASE_URL);
  let armed: { when: "before" | "after"; marker: string } | undefined;
  let broken = 0;
  const server = createServer((client: Socket) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    let dropReplies = false;
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", kill);
    upstream.on("error", kill);
    client.on("close", kill);
    upstream.on("close", kill);
    client.on("data", (chunk: Buffer) => {
      if (armed && chunk.includes(armed.marker)) {
        const { when } = armed;
        armed = undefined;
        broken++;
        if (when === "before") return kill();
        dropReplies = true;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => (dropReplies ? kill() : client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    url: (schemaUrl) => {
      const url = new URL(schemaUrl);
      url.host = `127.0.0.1:${port}`;
      return url.toString();
    },
    breakNext: (when, marker = "COMMIT\0") => void (armed = { when, marker }),
    broken: () => broken,
  };
}

function request(id: string, name: string): SaveRequest {
  const content = normalizeSkill(skill(id, { name }));
  return { skill: content, hash: contentHash(content), index: indexedText(content) };
}

describe.skipIf(!PG_AVAILABLE)("postgres: a connection lost during COMMIT", () => {
  let proxy: Awaited<ReturnType<typeof commitBreakingProxy>>;
  let store: PostgresStore;
  beforeAll(async () => {
    proxy = await commitBreakingProxy();
    store = (await PostgresStore.open(proxy.url(pgSchemaUrl()))) as PostgresStore;
  });
  afterAll(async () => {
    await store.close();
    proxy.server.close();
  });

  // A single save is one statement in its own transaction: the proxy breaks the connection on the statement itself.
  it(".save() - committed but its answer lost: resolves with the version it wrote, applied once", async () => {
    const broken = proxy.broken();
    proxy.breakNext("after", "answer_lost_once");
    const saved = await store.save(request("answer_lost_once", "first"));
    expect(proxy.broken()).toBe(broken + 1);
    expect(saved).toMatchObject({ changed: true, version: { version: 1 } });
    expect((await store.history("answer_lost_once")).map((h) => h.version)).toEqual([1]);
    proxy.breakNext("after", "answer_lost_once");
    const again = await store.save({ ...request("answer_lost_once", "second"), expectedVersion: 1 });
    expect(proxy.broken()).toBe(broken + 2);
    expect(again).toMatchObject({ changed: true, version: { version: 2 } });
    expect((await store.history("answer_lost_once")).map((h) => h.version)).toEqual([1, 2]);
  });

  it(".save() - the save never reached the server: retried, applied once", async () => {
    const broken = proxy.broken();
    proxy.breakNext("before", "never_reached");
    const saved = await store.save(request("never_reached", "first"));
    expect(proxy.broken()).toBe(broken + 1);
    expect(saved).toMatchObject({ changed: true, version: { version: 1 } });
    expect((await store.history("never_reached")).map((h) => h.version)).toEqual([1]);
  });

  it(".saveBatch() - COMMIT done but its answer lost: resolves, applied once (no retry on top)", async () => {
    const broken = proxy.broken();
    proxy.breakNext("after");
    const saved = await store.saveBatch([request("batch_once_a", "first"), request("batch_once_b", "first")]);
    expect(proxy.broken()).toBe(broken + 1);
    expect(saved.map((s) => s.version.version)).toEqual([1, 1]);
    expect((await store.history("batch_once_a")).map((h) => h.version)).toEqual([1]);
  });

  it(".recordExecution() - a lost COMMIT answer never counts a run twice", async () => {
    await store.save(request("runs", "runs"));
    for (const when of ["after", "before", "after"] as const) {
      proxy.breakNext(when);
      await store.recordExecution({ skillId: "runs", version: 1, startedAt: new Date().toISOString(), durationMs: 5, outcome: "success" });
    }
    expect((await store.get("runs"))?.stats).toMatchObject({ executions: 3, successes: 3 });
  });
});

describe.skipIf(!PG_AVAILABLE)("postgres: a single save sent again", () => {
  it("skill_library_save() - the same request id after another writer's save: reports the first save, writes nothing", async () => {
    const url = pgSchemaUrl();
    const store = await PostgresStore.open(url);
    const client = new pg.Client({ connectionString: PG_BASE_URL, options: `-c search_path="${pgSchemaOf(url)}"` });
    await client.connect();
    try {
      const save = async (requestId: string, hash: string) => {
        const { rows } = await client.query(
          `SELECT result_outcome AS outcome, result_version AS version
           FROM skill_library_save($1, 'resent', NULL, '{}', $2, 'general', '{}', ''::tsvector, now(), NULL, NULL, NULL, NULL, NULL, NULL)`,
          [requestId, hash],
        );
        return rows[0];
      };
      const first = "00000000-0000-4000-8000-000000000001";
      expect(await save(first, "h1")).toEqual({ outcome: "saved", version: 1 });
      expect(await save("00000000-0000-4000-8000-000000000002", "h2")).toEqual({ outcome: "saved", version: 2 });
      // The first request again (its answer was lost, say): the version it wrote, not a third one over the other writer's.
      expect(await save(first, "h1")).toEqual({ outcome: "saved", version: 1 });
      expect(await store.getVersion("resent")).toMatchObject({ version: 2, hash: "h2" });
      expect((await store.history("resent")).map((h) => h.hash)).toEqual(["h1", "h2"]);
    } finally {
      await client.end();
      await store.close();
    }
  });
});
