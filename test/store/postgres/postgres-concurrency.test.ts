import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VersionConflictError, openSkillLibrary, type SkillLibrary } from "../../../src/index.js";
import { SCHEMA_VERSION } from "../../../src/store/postgres/postgres-schema.js";
import { skill } from "../../support/skills.js";
import { PG_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

// On the real server, or on PGlite where there is none (there its transactions run one at a time).
describe("postgres: many libraries on one schema", () => {
  let admin: pg.Client;
  let url: string;
  let libraries: SkillLibrary[];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterAll(async () => admin.end());
  beforeEach(async () => {
    url = pgSchemaUrl();
    libraries = await Promise.all(Array.from({ length: 4 }, () => openSkillLibrary({ store: url })));
  });
  afterEach(async () => {
    await Promise.all(libraries.map((library) => library.close()));
  });

  it(".addSkill() - 16 writers in 4 libraries with one expectedVersion: exactly one wins, no gap", async () => {
    await libraries[0]?.addSkill(skill("contested"));
    const attempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        libraries[i % 4]?.addSkill(skill("contested", { name: `writer ${i}` }), { expectedVersion: 1 }),
      ),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = attempts.filter((a) => a.status === "rejected").map((a) => (a as PromiseRejectedResult).reason);
    expect(lost).toHaveLength(15);
    for (const reason of lost) {
      expect(reason).toBeInstanceOf(VersionConflictError);
      expect(reason).toMatchObject({ expected: 1, actual: 2 });
    }
    expect((await libraries[3]?.getVersionHistory("contested"))?.map((h) => h.version)).toEqual([1, 2]);
  });

  it(".addSkill() - 16 creators of one new id with expectedVersion 0: exactly one wins", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => libraries[i % 4]?.addSkill(skill("fresh", { name: `creator ${i}` }), { expectedVersion: 0 })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    expect((await libraries[0]?.getVersionHistory("fresh"))?.map((h) => h.version)).toEqual([1]);
  });

  it(".addSkill() - 16 unguarded writers in 4 libraries: every save a version, numbered without gaps", async () => {
    await libraries[0]?.addSkill(skill("shared"));
    const saved = await Promise.all(
      Array.from({ length: 16 }, (_, i) => libraries[i % 4]?.addSkill(skill("shared", { description: `edit ${i}` }))),
    );
    expect(saved.map((s) => s?.version).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
    expect((await libraries[1]?.getVersionHistory("shared"))?.map((h) => h.version)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
  });

  it(".deleteSkill() and re-add from different libraries: versions continue after the history", async () => {
    await libraries[0]?.addSkill(skill("phoenix"));
    await libraries[1]?.addSkill(skill("phoenix", { name: "second" }));
    expect(await libraries[2]?.deleteSkill("phoenix", { expectedVersion: 2 })).toBe(true);
    const readds = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => libraries[i % 4]?.addSkill(skill("phoenix", { name: `again ${i}` }), { expectedVersion: 0 })),
    );
    const won = readds.filter((a) => a.status === "fulfilled") as PromiseFulfilledResult<{ version: number }>[];
    expect(won.map((a) => a.value.version)).toEqual([3]);
    expect((await libraries[3]?.getVersionHistory("phoenix"))?.map((h) => h.version)).toEqual([1, 2, 3]);
  });

  it(".executeSkill() - runs from 4 libraries at once are all counted; the histogram's p95 is within 3 % of the log's", async () => {
    await libraries[0]?.addSkill(skill("busy"));
    let n = 0;
    for (const library of libraries) library.registerHandler("busy", async () => new Promise((resolve) => setTimeout(resolve, (n++ % 7) * 2)));
    await Promise.all(libraries.flatMap((library) => Array.from({ length: 25 }, () => library.executeSkill("busy"))));
    const stats = (await libraries[2]?.getSkill("busy", { useCache: false }))?.stats;
    expect(stats).toMatchObject({ executions: 100, successes: 100, failures: 0 });
    const schema = pgSchemaOf(url);
    const { rows } = await admin.query<{ duration_ms: number }>(`SELECT duration_ms FROM "${schema}".executions WHERE skill_id = 'busy'`);
    expect(rows).toHaveLength(100);
    const sorted = rows.map((r) => r.duration_ms).sort((x, y) => x - y);
    const exact = sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
    expect(Math.abs((stats?.p95DurationMs ?? 0) - exact) / exact).toBeLessThan(0.03);
    const { rows: buckets } = await admin.query<{ n: number }>(`SELECT sum(runs)::int AS n FROM "${schema}".duration_buckets WHERE skill_id = 'busy'`);
    expect(buckets[0]?.n).toBe(100);
  });

  it("10 libraries opening a new schema at once migrate it exactly once", async () => {
    const fresh = pgSchemaUrl();
    const opened = await Promise.all(Array.from({ length: 10 }, () => openSkillLibrary({ store: fresh })));
    try {
      const { rows } = await admin.query(`SELECT version FROM "${pgSchemaOf(fresh)}".skill_library_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      await Promise.all(opened.map((library, i) => library.addSkill(skill(`s${i}`))));
      expect((await opened[0]?.listSkills())?.length).toBe(10);
    } finally {
      await Promise.all(opened.map((library) => library.close()));
    }
  });
});
