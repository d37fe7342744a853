import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexedText } from "../../../src/search/analyzer.js";
import { canonicalJson, contentHash } from "../../../src/skill/content-hash.js";
import type { SkillInput } from "../../../src/skill/skill.js";
import { normalizeSkill } from "../../../src/skill/validate-skill.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { SCHEMA_VERSION, migrate } from "../../../src/store/postgres/postgres-schema.js";
import type { SaveRequest, SkillStore } from "../../../src/store/skill-store.js";
import { skill } from "../../support/skills.js";
import { PG_AVAILABLE, PG_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

function request(input: SkillInput, extra: Partial<SaveRequest> = {}): SaveRequest {
  const content = normalizeSkill(input, { limits: false });
  return { skill: content, hash: contentHash(content), index: indexedText(content), ...extra };
}

const described = (id: string, description: string) => skill(id, { description });

// On the real server, or on PGlite where there is none (see test/support/stores.ts).
describe("postgres: a skill's content written once (migration 5)", () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  afterAll(async () => client.end());

  /** The stored content of each version row of a skill, in version order. */
  const storedContent = async (schema: string, id: string): Promise<string[]> =>
    (await client.query<{ content: string }>(`SELECT content FROM "${schema}".skill_versions WHERE skill_id = $1 ORDER BY version`, [id])).rows.map(
      (row) => row.content,
    );

  it(".save() / .saveBatch() - the current version row holds '', a superseded or deleted one its content; history reads every version whole", async () => {
    const url = pgSchemaUrl();
    const schema = pgSchemaOf(url);
    const store = await PostgresStore.open(url);
    try {
      const versions = ["one", "two", "three"].map((text) => normalizeSkill(described("once", text)));
      await store.save(request(described("once", "one")));
      expect(await storedContent(schema, "once")).toEqual([""]);
      await store.save(request(described("once", "two"), { expectedVersion: 1 }));
      await store.saveBatch([request(described("once", "three")), request(described("batch_once", "b"))]);
      expect(await storedContent(schema, "once")).toEqual([canonicalJson(versions[0]), canonicalJson(versions[1]), ""]);
      expect(await storedContent(schema, "batch_once")).toEqual([""]);
      expect((await store.history("once")).map((record) => record.skill)).toEqual(versions);
      expect((await store.versionRecord("once", 3))?.skill).toEqual(versions[2]);
      expect((await store.versionRecord("once", 1))?.skill).toEqual(versions[0]);

      expect(await store.delete("once")).toBe(true);
      expect(await storedContent(schema, "once")).toEqual(versions.map((version) => canonicalJson(version)));
      expect((await store.history("once")).map((record) => record.skill)).toEqual(versions);
      // Re-added: the numbers go on; the new current row holds '' again, the deleted ones keep theirs.
      expect((await store.save(request(described("once", "four")))).version.version).toBe(4);
      expect((await storedContent(schema, "once")).map((content) => content === "")).toEqual([false, false, false, true]);
      expect((await store.history("once")).map((record) => record.skill.description)).toEqual(["one", "two", "three", "four"]);
    } finally {
      await store.close();
    }
  });

  it("migration 5 - a store written by migration 4 (content in every version row) reads, restores, saves and deletes right", async () => {
    const url = pgSchemaUrl();
    const schema = `"${pgSchemaOf(url)}"`;
    // A schema-4 store, written as the code of schema 4 writes: `skill_library_save` keeps the content in the version row.
    await migrate(client, pgSchemaOf(url), { to: 4 });
    await client.query(`SET search_path TO ${schema}`);
    const old = ["old one", "old two"].map((text) => normalizeSkill(described("legacy", text)));
    for (const [i, content] of old.entries()) {
      const index = indexedText(content);
      await client.query(
        `SELECT * FROM skill_library_save(gen_random_uuid(), 'legacy', $1, $2, $3, 'general', '{}',
           to_tsvector('simple', $4), now(), NULL, NULL, NULL, NULL, NULL, NULL)`,
        [i, canonicalJson(content), contentHash(content), index.description],
      );
    }
    expect((await client.query(`SELECT count(*)::int AS n FROM ${schema}.skill_versions WHERE content = ''`)).rows[0].n).toBe(0);

    const store: SkillStore = await PostgresStore.open(url);
    try {
      const { rows } = await client.query(`SELECT max(version) AS v FROM ${schema}.skill_library_migrations`);
      expect(rows[0].v).toBe(SCHEMA_VERSION);
      expect((await store.history("legacy")).map((record) => record.skill)).toEqual(old);
      expect((await store.get("legacy"))?.description).toBe("old two");
      // A restore of version 1 (what restoreVersion does): version 3, and the versions before it keep their content.
      const restored = (await store.versionRecord("legacy", 1))?.skill;
      expect(restored).toEqual(old[0]);
      const saved = await store.save(request(restored as SkillInput, { expectedVersion: 2, message: "restore version 1" }));
      expect(saved.version.version).toBe(3);
      expect((await store.history("legacy")).map((record) => record.skill.description)).toEqual(["old one", "old two", "old one"]);
      expect(await store.delete("legacy", 3)).toBe(true);
      expect((await store.history("legacy")).map((record) => record.skill.description)).toEqual(["old one", "old two", "old one"]);
      expect((await store.save(request(described("legacy", "new")))).version.version).toBe(4);
      expect((await store.versionRecord("legacy", 4))?.skill.description).toBe("new");
      // A process still running schema-4 code saves through `skill_library_save`: applied once per request id still.
      const oldProcessSave = async () =>
        (
          await client.query(
            `SELECT result_outcome AS outcome, result_version AS version FROM skill_library_save('00000000-0000-4000-8000-0000000000aa',
               'legacy', 4, $1, 'h5', 'general', '{}', ''::tsvector, now(), NULL, NULL, NULL, NULL, NULL, NULL)`,
            [canonicalJson(old[1])],
          )
        ).rows[0];
      expect(await oldProcessSave()).toEqual({ outcome: "saved", version: 5 });
      expect(await oldProcessSave()).toEqual({ outcome: "saved", version: 5 });
      expect((await store.history("legacy")).map((record) => record.skill.description)).toEqual(["old one", "old two", "old one", "new", "old two"]);
    } finally {
      await store.close();
    }
  });

  it("skill_library_put() - a resend of a request that committed reports that save, even after another writer's", async () => {
    const url = pgSchemaUrl();
    const store = await PostgresStore.open(url);
    await client.query(`SET search_path TO "${pgSchemaOf(url)}"`);
    const put = async (requestId: string, resent: boolean, hash: string, expected: number | null = null) =>
      (
        await client.query(
          `SELECT result_outcome AS outcome, result_version AS version
           FROM skill_library_put($1, $2, 'resent', $3, '{}', $4, 'general', '{}', ''::tsvector, now(), NULL, NULL, NULL, NULL, NULL, NULL)`,
          [requestId, resent, expected, hash],
        )
      ).rows[0];
    try {
      const first = "00000000-0000-4000-8000-000000000001";
      expect(await put(first, false, "h1", 0)).toEqual({ outcome: "saved", version: 1 });
      expect(await put("00000000-0000-4000-8000-000000000002", false, "h2")).toEqual({ outcome: "saved", version: 2 });
      // The first request again (its answer was lost, say): the version it wrote, not a conflict nor a third version.
      expect(await put(first, true, "h1", 0)).toEqual({ outcome: "saved", version: 1 });
      expect(await put("00000000-0000-4000-8000-000000000003", false, "h2")).toMatchObject({ outcome: "unchanged", version: 2 });
      expect(await put("00000000-0000-4000-8000-000000000004", false, "h3", 1)).toEqual({ outcome: "conflict", version: 2 });
      expect(await put("00000000-0000-4000-8000-000000000005", false, "h3", 0)).toEqual({ outcome: "conflict", version: 2 });
      expect(await store.getVersion("resent")).toMatchObject({ version: 2, hash: "h2" });
      expect((await store.history("resent")).map((h) => h.hash)).toEqual(["h1", "h2"]);
    } finally {
      await store.close();
    }
  });

  // Two sessions at once: the real server only (PGlite runs one transaction at a time).
  it.skipIf(!PG_AVAILABLE)("skill_library_put() - a resend while its first try is still creating the skill waits for it and reports it", async () => {
    const url = pgSchemaUrl();
    const store = await PostgresStore.open(url);
    const first = new pg.Client({ connectionString: PG_URL, options: `-c search_path="${pgSchemaOf(url)}"` });
    const resend = new pg.Client({ connectionString: PG_URL, options: `-c search_path="${pgSchemaOf(url)}"` });
    await Promise.all([first.connect(), resend.connect()]);
    const put = (session: pg.Client, resent: boolean) =>
      session.query(
        `SELECT result_outcome AS outcome, result_version AS version
         FROM skill_library_put('00000000-0000-4000-8000-0000000000bb', $1, 'racing', NULL, '{}', 'h1', 'general', '{}', ''::tsvector, now(),
           NULL, NULL, NULL, NULL, NULL, NULL)`,
        [resent],
      );
    try {
      await first.query("BEGIN");
      expect((await put(first, false)).rows[0]).toEqual({ outcome: "saved", version: 1 });
      const { rows: [{ pid }] } = await resend.query("SELECT pg_backend_pid() AS pid");
      const answer = put(resend, true);
      // The resend's upsert waits for the first try's uncommitted row (polled, not slept).
      while ((await client.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [pid])).rows[0]?.wait_event_type !== "Lock");
      await first.query("COMMIT");
      expect((await answer).rows[0]).toEqual({ outcome: "saved", version: 1 });
      expect((await store.history("racing")).map((h) => h.version)).toEqual([1]);
    } finally {
      await Promise.all([first.end(), resend.end()]);
      await store.close();
    }
  });
});
