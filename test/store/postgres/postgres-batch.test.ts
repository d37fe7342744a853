import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VersionConflictError } from "../../../src/errors.js";
import { indexedText } from "../../../src/search/analyzer.js";
import { contentHash } from "../../../src/skill/content-hash.js";
import type { SkillInput } from "../../../src/skill/skill.js";
import { normalizeSkill } from "../../../src/skill/validate-skill.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SaveRequest, SkillStore, StoreChange } from "../../../src/store/skill-store.js";
import { skill, waitFor } from "../../support/skills.js";
import { PG_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

function request(input: SkillInput, extra: Partial<SaveRequest> = {}): SaveRequest {
  const content = normalizeSkill(input, { limits: false });
  return { skill: content, hash: contentHash(content), index: indexedText(content), ...extra };
}

// On the real server, or on PGlite where there is none (see test/support/stores.ts).
describe("postgres: saveBatch", () => {
  let store: SkillStore;
  let other: SkillStore;
  let admin: pg.Client;
  let schema: string;
  let heard: StoreChange[] = [];
  beforeAll(async () => {
    const url = pgSchemaUrl();
    schema = `"${pgSchemaOf(url)}"`;
    store = await PostgresStore.open(url);
    other = await PostgresStore.open(url);
    other.watch((changes) => heard.push(...changes));
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  beforeEach(() => {
    heard = [];
  });
  afterAll(async () => {
    await Promise.all([store.close(), other.close(), admin.end()]);
  });

  it("new, changed and unchanged skills in one batch: results in order, a version only for a change", async () => {
    await store.saveBatch([request(skill("m1")), request(skill("m2"))]);
    await waitFor(() => heard.filter((c) => "skillId" in c).length === 2, 5000, "the first batch's notices");
    heard = [];
    const results = await store.saveBatch([
      request(skill("m2", { name: "changed" }), { author: "ann", message: "rename" }),
      request(skill("m3"), { author: "bob" }),
      request(skill("m1"), { expectedVersion: 1 }),
      request(skill("m4"), { expectedVersion: 0 }),
    ]);
    expect(results.map((r) => [r.version.skillId, r.version.version, r.changed])).toEqual([["m2", 2, true], ["m3", 1, true], ["m1", 1, false], ["m4", 1, true]]);
    expect(results[0]?.version.hash).toBe(contentHash(normalizeSkill(skill("m2", { name: "changed" }), { limits: false })));
    expect((await store.get("m2"))?.name).toBe("changed");
    expect((await store.history("m2")).map((h) => [h.version, h.author, h.message])).toEqual([[1, undefined, undefined], [2, "ann", "rename"]]);
    expect((await store.history("m3"))[0]?.author).toBe("bob");
    expect(await store.history("m1")).toHaveLength(1);
    await waitFor(() => ["m2", "m3", "m4"].every((id) => heard.some((c) => "skillId" in c && c.skillId === id)), 5000, "the batch's notices");
    expect(heard.some((c) => "skillId" in c && c.skillId === "m1")).toBe(false);
  });

  it("a stale expectedVersion anywhere rejects the whole batch and writes nothing", async () => {
    await store.saveBatch([request(skill("c1")), request(skill("c3"))]);
    const batch = store.saveBatch([
      request(skill("c1", { name: "would change" })),
      request(skill("c_new")),
      request(skill("c3", { name: "would change too" }), { expectedVersion: 1 }),
      request(skill("c2"), { expectedVersion: 3 }),
    ]);
    await expect(batch).rejects.toBeInstanceOf(VersionConflictError);
    await expect(batch).rejects.toMatchObject({ skillId: "c2", expected: 3, actual: 0 });
    expect((await store.get("c1"))?.name).toBe("Skill c1");
    expect(await store.history("c1")).toHaveLength(1);
    expect(await store.history("c3")).toHaveLength(1);
    expect(await store.get("c_new")).toBeUndefined();
    expect(await store.history("c_new")).toEqual([]);
  });

  it("an id twice in one batch: the second save sees the first", async () => {
    const results = await store.saveBatch([
      request(skill("d1"), { expectedVersion: 0 }),
      request(skill("d1", { name: "second" }), { expectedVersion: 1 }),
      request(skill("d1", { name: "second" })),
    ]);
    expect(results.map((r) => [r.version.version, r.changed])).toEqual([[1, true], [2, true], [2, false]]);
    await expect(store.saveBatch([request(skill("d1", { name: "x" })), request(skill("d1", { name: "y" }), { expectedVersion: 2 })])).rejects.toMatchObject({
      skillId: "d1", expected: 2, actual: 3,
    });
    expect((await store.get("d1"))?.version).toBe(2);
  });

  it("two batches creating the same ids at once, in opposite orders: both whole, one after the other", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `race${String(i).padStart(2, "0")}`);
    const [first, second] = await Promise.all([
      store.saveBatch(ids.map((id) => request(skill(id, { name: "from first" })))),
      other.saveBatch([...ids].reverse().map((id) => request(skill(id, { name: "from second" })))),
    ]);
    const versions = [...(first ?? []), ...(second ?? [])].map((r) => r.version.version);
    expect(versions.filter((v) => v === 1)).toHaveLength(50);
    expect(versions.filter((v) => v === 2)).toHaveLength(50);
    const names = new Set((await store.getMany(ids)).map((s) => s.name));
    expect(names.size).toBe(1); // every id's newest version came from the same batch
    for (const id of ids.slice(0, 3)) expect((await store.history(id)).map((h) => h.version)).toEqual([1, 2]);
  });

  it("a skill deleted and added again by a batch continues its version numbers", async () => {
    await store.save(request(skill("r1")));
    await store.save(request(skill("r1", { name: "two" })));
    await store.delete("r1");
    const [result] = await store.saveBatch([request(skill("r1"), { expectedVersion: 0 })]);
    expect(result?.version.version).toBe(3);
    expect((await store.history("r1")).map((h) => h.version)).toEqual([1, 2, 3]);
  });

  it("more rows than one statement takes: all saved, indexed and filtered like single saves", async () => {
    const tags = ['q"uote', "back\\slash", "com,ma", "{brace}", "nul\0", "NULL"];
    const many = Array.from({ length: 1100 }, (_, i) => request(skill(`bulk${i}`, { name: `Bulk ${i} lighthouse`, description: "Shines", tags: [`t${i % 3}`, ...tags] })));
    const results = await store.saveBatch(many);
    expect(results.every((r) => r.changed && r.version.version === 1)).toBe(true);
    expect(results.map((r) => r.version.skillId)).toEqual(many.map((r) => r.skill.id));
    const found = await store.search({ groups: [["lighthous"]] }, { tags: ["t1", "com,ma"] }, 2000);
    expect(found).toHaveLength(367);
    const got = await store.get("bulk7");
    expect(got?.tags).toEqual(["t1", ...tags]); // the content round-trips; the tags column holds what text can
    const column = await admin.query(`SELECT tags FROM ${schema}.skills WHERE id = 'bulk7'`);
    expect(column.rows[0].tags).toEqual(["t1", ...tags.map((t) => t.replace("\0", "\uFFFD"))]);
    // The search vector of a batch save is the one a single save writes.
    await store.save(request(skill("single7", { name: "Bulk 7 lighthouse", description: "Shines", tags: got?.tags as string[] })));
    const { rows } = await admin.query(`SELECT (SELECT search FROM ${schema}.skills WHERE id = 'bulk7') = (SELECT search FROM ${schema}.skills WHERE id = 'single7') AS same`);
    expect(rows[0].same).toBe(true);
    const versions = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.skill_versions WHERE skill_id LIKE 'bulk%'`);
    expect(versions.rows[0].n).toBe(1100);
    // Over 100 changes in one transaction: the other store hears "everything may have changed".
    await waitFor(() => heard.some((c) => "all" in c), 5000, "the batch's notice");
  });
});
