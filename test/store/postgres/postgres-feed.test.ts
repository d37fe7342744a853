import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSkillLibrary, type SkillLibrary } from "../../../src/index.js";
import { skill, waitFor } from "../../support/skills.js";
import { PG_AVAILABLE, PG_URL, pgSchemaOf, pgSchemaUrl } from "../../support/stores.js";

// On the real server, or on PGlite where there is none (see test/support/stores.ts).
describe("postgres: change feed (LISTEN/NOTIFY)", () => {
  let url: string;
  let schema: string;
  let appB: string;
  let a: SkillLibrary;
  let b: SkillLibrary;
  let admin: pg.Client;

  beforeEach(async () => {
    url = pgSchemaUrl();
    schema = pgSchemaOf(url);
    appB = `${schema}_b`;
    a = await openSkillLibrary({ store: url });
    b = await openSkillLibrary({ store: `${url}&application_name=${appB}` });
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close(), admin.end()]);
  });

  /** The backends of b's LISTEN connection. */
  async function listenerPids(): Promise<number[]> {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'",
      [appB],
    );
    return rows.map((row) => row.pid);
  }

  /** Lets the notice of a write reach b before b caches anything (or b's cache would drop it). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it(".getSkill() - a second library's cached entry shows another library's write within 100 ms", async () => {
    await a.addSkill(skill("x"));
    await settle();
    expect((await b.getSkill("x"))?.name).toBe("Skill x");
    const hits = b.cacheStats()?.hits ?? 0;
    expect((await b.getSkill("x"))?.name).toBe("Skill x");
    expect(b.cacheStats()?.hits).toBe(hits + 1); // b really serves it from its cache

    await a.addSkill(skill("x", { name: "changed" }));
    await waitFor(async () => (await b.getSkill("x"))?.name === "changed", 100, "a's write to reach b's cache");

    await a.deleteSkill("x");
    await waitFor(async () => (await b.getSkill("x")) === undefined, 100, "a's delete to reach b's cache");
  });

  it(".getSkill() - stats recorded by another library show within 100 ms", async () => {
    await a.addSkill(skill("run"));
    await settle();
    a.registerHandler("run", async () => "ok");
    expect((await b.getSkill("run"))?.stats.executions).toBe(0);
    await a.executeSkill("run");
    await waitFor(async () => (await b.getSkill("run"))?.stats.executions === 1, 100, "a's run to reach b's cache");
  });

  it(".searchSkills() - a cached search in another library sees a new skill within 100 ms", async () => {
    expect(await b.searchSkills("invoice")).toEqual([]);
    await a.addSkill(skill("pay", { name: "Pay an invoice", description: "Makes a payment" }));
    await waitFor(async () => (await b.searchSkills("invoice")).length === 1, 100, "a's new skill to reach b's cached search");
  });

  // PGlite has neither pg_stat_activity nor pg_terminate_backend.
  it.skipIf(!PG_AVAILABLE)("a terminated LISTEN connection comes back by itself and flushes what may be stale", async () => {
    await a.addSkill(skill("y"));
    await settle();
    expect((await b.getSkill("y"))?.name).toBe("Skill y");
    // A change nobody is told about: like a notification lost while the listener was away.
    await admin.query(`UPDATE "${schema}".skills SET content = replace(content, '"Skill y"', '"Changed y"') WHERE id = 'y'`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await b.getSkill("y"))?.name).toBe("Skill y"); // still the cached entry

    const before = await listenerPids();
    expect(before).toHaveLength(1);
    await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [before]);

    await waitFor(async () => (await b.getSkill("y"))?.name === "Changed y", 5000, "b's cache to be flushed after reconnecting");
    const after = await listenerPids();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);

    // Notifications flow again on the new connection.
    await a.addSkill(skill("y", { name: "after reconnect" }));
    await waitFor(async () => (await b.getSkill("y"))?.name === "after reconnect", 100, "a's write to reach b after reconnecting");
  });

  it("two schemas in one database do not hear each other", async () => {
    const otherUrl = pgSchemaUrl();
    const other = await openSkillLibrary({ store: otherUrl });
    try {
      await a.addSkill(skill("same-id"));
      await other.addSkill(skill("same-id", { name: "other schema" }));
      expect((await b.getSkill("same-id"))?.name).toBe("Skill same-id");
      await other.addSkill(skill("same-id", { name: "other schema again" }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await b.getSkill("same-id"))?.name).toBe("Skill same-id");
      expect((await other.listSkills()).map((s) => s.name)).toEqual(["other schema again"]);
      expect((await a.getVersionHistory("same-id")).length).toBe(1);
    } finally {
      await other.close();
    }
  });
});
