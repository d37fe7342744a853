import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexedText } from "../../../src/search/analyzer.js";
import { planSearch } from "../../../src/search/prepare-query.js";
import { contentHash } from "../../../src/skill/content-hash.js";
import type { SkillInput } from "../../../src/skill/skill.js";
import { normalizeSkill } from "../../../src/skill/validate-skill.js";
import { tsqueryText } from "../../../src/store/postgres/postgres-filters.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { SCHEMA_VERSION } from "../../../src/store/postgres/postgres-schema.js";
import type { SaveRequest, SkillStore } from "../../../src/store/skill-store.js";
import { skill } from "../../support/skills.js";
import { PG_AVAILABLE, PG_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

function request(input: SkillInput, extra: Partial<SaveRequest> = {}): SaveRequest {
  const content = normalizeSkill(input, { limits: false });
  return { skill: content, hash: contentHash(content), index: indexedText(content), ...extra };
}

describe("postgres: query text", () => {
  it("tsqueryText() - quotes every form and keeps only letters and digits", () => {
    expect(tsqueryText({ groups: [["logging*"], ["in"]] })).toBe("'logging':* | 'in'");
    expect(tsqueryText({ groups: [["a'b*", "c\\d"], ["*"], []] })).toBe("('ab':* | 'cd')");
    expect(tsqueryText({ groups: [["'&|!():*<->"]] })).toBe("");
  });
});

// On the real server, or on PGlite where there is none (see test/support/stores.ts).
describe("postgres: the store itself", () => {
  let store: SkillStore;
  let url: string;
  beforeAll(async () => {
    url = pgSchemaUrl();
    store = await PostgresStore.open(url);
    await store.saveBatch([
      request(skill("nav_login", { name: "Log in to a website", description: "Fills the login form", category: "browser", tags: ["auth", "browser"] })),
      request(skill("extract_table", { name: "Extract table data", description: "Reads an HTML table into rows", category: "data", tags: ["scrape"] })),
      request(skill("send_email", { name: "Send an email", description: "Sends a message over SMTP", category: "comms", tags: ["email"] })),
    ]);
  });
  afterAll(async () => store.close());

  it(".search() - any text a user types is safe: never an error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 60 }), async (text) => {
        const found = await store.search(planSearch(text).text, {}, 10);
        expect(Array.isArray(found)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const nasty = { groups: [["'); DROP TABLE skills; --*"], ["\\'*"], ["x".repeat(5000)], ["ünïcødé*", "日本語"], ["0*"]] };
    await expect(store.search(nasty, {}, 10)).resolves.toBeInstanceOf(Array);
  });

  it(".search() - weights: a name match ranks above a description match", async () => {
    await store.save(request(skill("mentions_table", { name: "Something else", description: "Mentions a table once" })));
    const found = await store.search({ groups: [["tabl*"]] }, {}, 10);
    expect(found.map((c) => c.skill.id).slice(0, 2)).toEqual(["extract_table", "mentions_table"]);
    expect(found[0]?.score).toBeGreaterThan(found[1]?.score ?? Infinity);
    await store.delete("mentions_table");
  });

  it(".list() / .getMany() - limit may be Infinity; getMany keeps the order asked for", async () => {
    expect((await store.list({ limit: Infinity, offset: 1 })).map((s) => s.id)).toEqual(["nav_login", "send_email"]);
    expect((await store.getMany(["send_email", "nope", "extract_table"])).map((s) => s.id)).toEqual(["send_email", "extract_table"]);
    expect(await store.getMany([])).toEqual([]);
  });

  it(".save() - text PostgreSQL cannot hold (NUL) is stored and found, content round-trips exactly", async () => {
    const input = skill("nul", { name: "a\0b", category: "c\0t", tags: ["t\0g"], metadata: { big: 12345678901234567890, n: 0.1, s: "\0\u{1F600}" } });
    const saved = await store.save(request(input, { author: "me\0", message: "m" }));
    const got = await store.get("nul");
    expect(got?.name).toBe("a\0b");
    expect(got?.metadata).toEqual(input.metadata);
    expect(contentHash(normalizeSkill(pickContent(got as object), { limits: false }))).toBe(saved.version.hash);
    expect((await store.list({ category: "c\0t", tags: ["t\0g"], limit: 10, offset: 0 })).map((s) => s.id)).toEqual(["nul"]);
    expect((await store.history("nul"))[0]?.author).toBe("me\uFFFD");
    await store.delete("nul");
  });

  it(".get() / .list() / .search() - times and stats read back exactly as written (ISO text, same doubles)", async () => {
    const saved = await store.save(request(skill("exact_read", { name: "Exact read back" })));
    const before = new Date().toISOString();
    for (const durationMs of [0.1, 0.2, 1 / 3]) {
      await store.recordExecution({ skillId: "exact_read", version: 1, startedAt: before, durationMs, outcome: durationMs === 0.2 ? "failure" : "success" });
    }
    const after = new Date().toISOString();
    const got = await store.get("exact_read");
    expect(got).toMatchObject({ version: 1, createdAt: saved.version.savedAt, updatedAt: saved.version.savedAt });
    expect(got?.stats).toMatchObject({ executions: 3, successes: 2, failures: 1, timeouts: 0, successRate: 2 / 3, avgDurationMs: (0.1 + 0.2 + 1 / 3) / 3 });
    const last = got?.stats.lastExecutedAt as string;
    expect(last).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(last >= before && last <= after).toBe(true);
    expect((await store.get("nav_login"))?.stats).not.toHaveProperty("lastExecutedAt");
    const listed = (await store.list({ limit: Infinity, offset: 0 })).find((s) => s.id === "exact_read");
    expect(listed).toEqual(got);
    expect((await store.search({ groups: [["exact"]] }, {}, 10)).map((c) => c.skill)).toContainEqual(got);
    expect(Object.isFrozen(got) && Object.isFrozen(got?.stats)).toBe(true);
  });

  it(".recordExecution() - counts atomically; the p95 from the duration histogram is within 3 %", async () => {
    await store.save(request(skill("timed")));
    const runs = Array.from({ length: 100 }, (_, i) => i + 1);
    await Promise.all(
      runs.map((ms) =>
        store.recordExecution({
          skillId: "timed", version: 1, startedAt: new Date().toISOString(), durationMs: ms, outcome: ms % 10 === 0 ? "timeout" : "success", error: "slow\0",
        }),
      ),
    );
    const stats = (await store.get("timed"))?.stats;
    expect(stats).toMatchObject({ executions: 100, successes: 90, failures: 10, timeouts: 10, successRate: 0.9, avgDurationMs: 50.5 });
    expect(Math.abs((stats?.p95DurationMs ?? 0) - 95) / 95).toBeLessThan(0.03);
    expect(stats?.lastExecutedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await store.get("timed"))?.version).toBe(1);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const buckets = `SELECT coalesce(sum(runs), 0)::int AS n FROM "${pgSchemaOf(url)}".duration_buckets WHERE skill_id = 'timed'`;
      expect((await client.query(buckets)).rows[0].n).toBe(100);
      // A deleted and re-added skill starts its stats, p95 included, afresh: its buckets went with it.
      await store.delete("timed");
      expect((await client.query(buckets)).rows[0].n).toBe(0);
      await store.save(request(skill("timed")));
      await store.recordExecution({ skillId: "timed", version: 2, startedAt: new Date().toISOString(), durationMs: 3, outcome: "success" });
      expect((await store.get("timed"))?.stats).toMatchObject({ executions: 1 });
      expect(Math.abs(((await store.get("timed"))?.stats.p95DurationMs ?? 0) - 3) / 3).toBeLessThan(0.03);
      expect((await client.query(buckets)).rows[0].n).toBe(1);
      // A run of a skill that is gone is logged but leaves no bucket behind.
      await store.recordExecution({ skillId: "gone", version: 1, startedAt: new Date().toISOString(), durationMs: 3, outcome: "success" });
      expect((await client.query(`SELECT count(*)::int AS n FROM "${pgSchemaOf(url)}".duration_buckets WHERE skill_id = 'gone'`)).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it("migration 2 fills the duration histogram from the runs in the log since each skill was (re)created", async () => {
    const oldUrl = pgSchemaUrl();
    const schema = `"${pgSchemaOf(oldUrl)}"`;
    const first = await PostgresStore.open(oldUrl);
    await first.save(request(skill("old")));
    await first.close();
    const durations = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1500);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      // Back to a schema-1 store (what migrations 2 and later made is gone) with a log written by the old code (plus a run from before the skill was created).
      await client.query(
        `DROP TABLE ${schema}.duration_buckets; DROP FUNCTION ${schema}.skill_library_count_run; DROP TABLE IF EXISTS ${schema}.skill_embeddings;
         DROP FUNCTION ${schema}.skill_library_put; DROP TRIGGER skills_keep_superseded_content ON ${schema}.skills;
         DROP TRIGGER skills_keep_deleted_content ON ${schema}.skills; DROP FUNCTION ${schema}.skill_library_keep_content;
         DROP FUNCTION ${schema}.skill_library_save; ALTER TABLE ${schema}.skill_versions DROP COLUMN request_id;
         DELETE FROM ${schema}.skill_library_migrations WHERE version >= 2`,
      );
      await client.query(
        `INSERT INTO ${schema}.executions (skill_id, version, started_at, duration_ms, outcome)
         SELECT 'old', 1, now(), d, 'success' FROM unnest($1::float8[]) AS d
         UNION ALL SELECT 'old', 1, now() - interval '1 day', 1e9, 'success'`,
        [durations],
      );
      const upgraded = await PostgresStore.open(oldUrl);
      try {
        const { rows } = await client.query(`SELECT max(version) AS v FROM ${schema}.skill_library_migrations`);
        expect(rows[0].v).toBe(SCHEMA_VERSION);
        await upgraded.recordExecution({ skillId: "old", version: 1, startedAt: new Date().toISOString(), durationMs: 10, outcome: "success" });
        const exact = nearestRank95([...durations, 10]);
        expect(Math.abs(((await upgraded.get("old"))?.stats.p95DurationMs ?? 0) - exact) / exact).toBeLessThan(0.03);
        const { rows: total } = await client.query(`SELECT sum(runs)::int AS n FROM ${schema}.duration_buckets WHERE skill_id = 'old'`);
        expect(total[0].n).toBe(1001);
      } finally {
        await upgraded.close();
      }
    } finally {
      await client.end();
    }
  });

  it("?schema= with capitals is its own schema, created on first use", async () => {
    const mixed = new URL(pgSchemaUrl());
    mixed.searchParams.set("schema", `${pgSchemaOf(mixed.toString())}_MiXed`);
    const other = await PostgresStore.open(mixed.toString());
    try {
      expect(await other.list({ limit: 10, offset: 0 })).toEqual([]);
      await other.save(request(skill("only_here")));
      expect((await store.get("only_here"))).toBeUndefined();
      expect((await other.get("only_here"))?.id).toBe("only_here");
    } finally {
      await other.close();
    }
  });
});

describe.skipIf(!PG_AVAILABLE)("postgres: process lifetime", () => {
  const script = fileURLToPath(new URL("./open-and-leave.mts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../../node_modules/tsx/dist/loader.mjs", import.meta.url));

  for (const mode of ["close", "no-close"]) {
    it(`a process that used the store exits by itself (${mode})`, async () => {
      const child = spawn(process.execPath, ["--import", tsx, script, pgSchemaUrl(), mode], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
      const started = performance.now();
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve(-1);
        }, 15_000);
        child.on("exit", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(output).toContain("wrote");
      expect(code).toBe(0);
      expect(performance.now() - started).toBeLessThan(12_000);
    });
  }
});

/** The exact p95 (nearest rank) of some durations, to compare the histogram's with. */
function nearestRank95(durations: readonly number[]): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0;
}

function pickContent(skillRecord: object): Record<string, unknown> {
  const { version: _v, createdAt: _c, updatedAt: _u, stats: _s, ...content } = skillRecord as Record<string, unknown>;
  return content;
}
