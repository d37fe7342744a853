import Database from "better-sqlite3";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSkillLibrary } from "../../src/index.js";
import { BATCH_WRITER_START_MIN } from "../../src/store/sqlite/sqlite-store.js";
import { startJsonLinesChild } from "../support/json-lines-child.js";
import { startChild } from "../support/processes.js";
import { skill, waitFor } from "../support/skills.js";
import { tempDir } from "../support/stores.js";

const dir = tempDir();
const file = (name: string) => join(dir, name);

describe("sqlite: many processes on one file", () => {
  const libraries: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(libraries.map((l) => l.close()));
  });

  it("8 processes racing one expectedVersion: exactly one wins, history has no gap", async () => {
    const store = file("race.db");
    const library = await openSkillLibrary({ store });
    libraries.push(library);
    await library.addSkill(skill("contested"));
    const children = Array.from({ length: 8 }, () => startChild("race", store, "contested", "1"));
    await Promise.all(children.map((c) => c.next((e) => e["ready"] === true)));
    for (const child of children) child.send("go");
    const results = await Promise.all(children.map((c) => c.next((e) => "won" in e || "lost" in e)));
    expect(results.filter((r) => r["won"] === 2)).toHaveLength(1);
    expect(results.filter((r) => r["lost"] === "VERSION_CONFLICT" && r["actual"] === 2)).toHaveLength(7);
    expect((await library.getVersionHistory("contested")).map((h) => h.version)).toEqual([1, 2]);
    await Promise.all(children.map((c) => c.exited));
  });

  // BATCH_WRITER_START_MIN: batches written on the batch writer's thread while the process makes the rest.
  it.each([500, BATCH_WRITER_START_MIN])("a process SIGKILLed in the middle of batchAddSkills of %i leaves whole batches only", async (size) => {
    const store = file(`killed-${size}.db`);
    const writer = startChild("batches", store, String(size));
    await writer.next((e) => e["batch"] === 3);
    writer.process.kill("SIGKILL");
    await writer.exited;
    const db = new Database(store);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const counts = db.prepare("SELECT substr(id, 1, instr(id, '-') - 1) AS batch, count(*) AS n FROM skills GROUP BY batch").all() as { n: number }[];
    expect(counts.length).toBeGreaterThanOrEqual(4);
    for (const { n } of counts) expect(n).toBe(size);
    const versions = db.prepare("SELECT count(*) FROM skill_versions").pluck().get();
    expect(versions).toBe(counts.length * size);
    db.close();
    const reopened = await openSkillLibrary({ store });
    libraries.push(reopened);
    expect((await reopened.listSkills({ limit: Infinity })).length).toBe(counts.length * size);
  });

  it("4 processes × 2 batches on their batch writers' threads, racing: every skill and version row is there exactly once", async () => {
    const store = file("batch-race.db");
    const library = await openSkillLibrary({ store });
    libraries.push(library);
    const children = ["p0", "p1", "p2", "p3"].map((prefix) => startChild("batch-count", store, String(BATCH_WRITER_START_MIN), "2", prefix));
    const done = await Promise.all(children.map((c) => c.next((e) => "wrote" in e)));
    expect(done.map((d) => d["wrote"])).toEqual(Array.from({ length: 4 }, () => 2 * BATCH_WRITER_START_MIN));
    await Promise.all(children.map((c) => c.exited));
    const db = new Database(store, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.prepare("SELECT count(*), count(DISTINCT id) FROM skills").raw().get()).toEqual([8 * BATCH_WRITER_START_MIN, 8 * BATCH_WRITER_START_MIN]);
    expect(db.prepare("SELECT count(*) FROM skill_versions WHERE version = 1").pluck().get()).toBe(8 * BATCH_WRITER_START_MIN);
    db.close();
    expect((await library.getSkill(`p3-1-${BATCH_WRITER_START_MIN - 1}`))?.name).toBe("p3 batch 1");
  });

  it("a cached reader sees another process's write within ~50 ms", async () => {
    const store = file("coherent.db");
    const library = await openSkillLibrary({ store });
    libraries.push(library);
    await library.addSkill(skill("shared", { name: "first" }));
    expect((await library.getSkill("shared"))?.name).toBe("first");
    expect((await library.getSkill("shared"))?.name).toBe("first");
    const hitsBefore = library.cacheStats()?.hits ?? 0;
    expect(hitsBefore).toBeGreaterThan(0);
    const writer = startChild("write", store, "shared", "second");
    await writer.next((e) => e["version"] === 2);
    const written = performance.now();
    await waitFor(async () => (await library.getSkill("shared"))?.name === "second", 2000, "the other process's write");
    const staleFor = performance.now() - written;
    expect(staleFor).toBeLessThan(250);
    await writer.exited;
  });

  it("4 processes × 250 runs of one skill: exactly 1000 executions and successes recorded", async () => {
    const store = file("metrics.db");
    const library = await openSkillLibrary({ store });
    libraries.push(library);
    await library.addSkill(skill("counted", { code: "async () => 1" }));
    const children = Array.from({ length: 4 }, () => startChild("execute", store, "counted", "250"));
    const done = await Promise.all(children.map((c) => c.next((e) => "ok" in e)));
    expect(done.map((d) => d["ok"])).toEqual([250, 250, 250, 250]);
    await Promise.all(children.map((c) => c.exited));
    const stats = (await library.getSkill("counted", { useCache: false }))?.stats;
    expect(stats).toMatchObject({ executions: 1000, successes: 1000, failures: 0, successRate: 1 });
    expect((await library.getSkill("counted"))?.version).toBe(1);
  });

  it("another process's metric updates on skill B leave the cached entry of skill A in place", async () => {
    const store = file("selective.db");
    const library = await openSkillLibrary({ store });
    libraries.push(library);
    await library.addSkill(skill("A"));
    await library.addSkill(skill("B", { code: "async () => 2" }));
    await library.getSkill("A");
    await library.getSkill("B");
    const runner = startChild("execute", store, "B", "3");
    await runner.next((e) => e["ok"] === 3);
    await waitFor(async () => (await library.getSkill("B"))?.stats.executions === 3, 2000, "B's new stats");
    const before = library.cacheStats()?.hits ?? 0;
    await library.getSkill("A");
    expect(library.cacheStats()?.hits).toBe(before + 1);
    await runner.exited;
  });

  for (const mode of ["close", "no-close"]) {
    it(`a process whose checkpoint worker is busy and whose batch writer is idle exits by itself (${mode})`, async () => {
      const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
      // One commit of ~3,000 WAL pages (on the batch writer's thread, which then waits for the
      // next batch): the checkpoint worker starts copying them as the batch returns.
      const source = `
        const { openSkillLibrary } = await import(${JSON.stringify(dist)});
        const library = await openSkillLibrary({ store: ${JSON.stringify(file(`leave-${mode}.db`))} });
        const skills = Array.from({ length: 20000 }, (_, i) => ({ id: "s" + i, name: "skill " + i, description: "does thing " + i }));
        await library.batchAddSkills(skills);
        ${mode === "close" ? "await library.close();" : ""}
        console.log(JSON.stringify({ wrote: skills.length }));`;
      const child = startJsonLinesChild(["--input-type=module", "-e", source], `writer (${mode})`);
      expect(await child.next((e) => "wrote" in e)).toEqual({ wrote: 20000 });
      expect(await child.exited).toBe(0);
      const db = new Database(file(`leave-${mode}.db`));
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.prepare("SELECT count(*) FROM skills").pluck().get()).toBe(20000);
      db.close();
    });
  }
});
