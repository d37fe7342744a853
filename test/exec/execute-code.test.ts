import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SkillExecutionError, SkillLimitError, SkillTimeoutError, openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { skill } from "../support/skills.js";

for (const engine of ["isolated-vm", "quickjs"] as const) {
  describe(`executeSkill() running code on ${engine}`, () => {
    let library: SkillLibrary;
    beforeAll(async () => {
      library = await openSkillLibrary({ store: ":memory:", sandbox: { engine, poolSize: 2, memoryLimitMb: 32, maxResultBytes: 10_000 } });
      await library.batchAddSkills([
        skill("add", { code: "async (context) => ({ sum: context.a + context.b })" }),
        skill("fetcher", { code: "async (context, tools) => { try { return await tools.get(context.url); } catch (e) { return 'caught: ' + e.message; } }" }),
        skill("loops", { code: "async () => { while (true) {} }" }),
        skill("hangs", { code: "async () => new Promise(() => {})" }),
        skill("throws", { code: "async () => { throw new RangeError('out of range') }" }),
        skill("bomb", { code: "async () => { const a = []; while (true) a.push(new Array(1e5).fill('x')); }" }),
        skill("huge", { code: "async () => 'y'.repeat(50_000)" }),
        skill("proto", { code: "async () => JSON.parse('{\"__proto__\": {\"polluted\": 1}}')" }),
      ]);
    });
    afterAll(async () => library.close());

    it("returns the result as fresh plain JSON and records a success", async () => {
      expect(await library.executeSkill("add", { a: 2, b: 3 })).toEqual({ sum: 5 });
      const result = (await library.executeSkill("proto")) as Record<string, unknown>;
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      expect((await library.getSkill("add"))?.stats).toMatchObject({ executions: 1, successes: 1 });
    });

    it("calls host tools with JSON arguments; a tool's error is an error inside the skill", async () => {
      const tools = { get: async (url: string) => (url === "bad" ? Promise.reject(new Error("404 not found")) : { body: `page ${url}` }) };
      expect(await library.executeSkill("fetcher", { url: "a" }, { tools })).toEqual({ body: "page a" });
      expect(await library.executeSkill("fetcher", { url: "bad" }, { tools })).toBe("caught: 404 not found");
    });

    it("kills an endless loop and a promise that never settles at the deadline; the next run works", async () => {
      const started = performance.now();
      await expect(library.executeSkill("loops", {}, { timeout: 200 })).rejects.toBeInstanceOf(SkillTimeoutError);
      expect(performance.now() - started).toBeLessThan(1000);
      await expect(library.executeSkill("hangs", {}, { timeout: 100 })).rejects.toMatchObject({ code: "SKILL_TIMEOUT", timeoutMs: 100 });
      expect(await library.executeSkill("add", { a: 1, b: 1 })).toEqual({ sum: 2 });
      expect((await library.getSkill("loops"))?.stats).toMatchObject({ executions: 1, failures: 1, timeouts: 1 });
    });

    it("turns a throw into SkillExecutionError with the skill's message; limits into SkillLimitError", async () => {
      const thrown = library.executeSkill("throws");
      await expect(thrown).rejects.toBeInstanceOf(SkillExecutionError);
      await expect(thrown).rejects.toThrow("out of range");
      await expect(library.executeSkill("huge")).rejects.toMatchObject({ code: "SKILL_LIMIT", limit: "result" });
      const bomb = library.executeSkill("bomb", {}, { timeout: 3_000 });
      await expect(bomb).rejects.toBeInstanceOf(Error);
      const error = await bomb.catch((e: unknown) => e);
      expect(error instanceof SkillLimitError || error instanceof SkillTimeoutError).toBe(true);
      expect(await library.executeSkill("add", { a: 5, b: 5 })).toEqual({ sum: 10 });
    });
  });
}

describe("executeSkill() on a library whose sandbox is still starting", () => {
  it("a deadline that passes while the pool starts is a timeout at the deadline, not after the start; the run is recorded", async () => {
    // Eight isolated-vm members take hundreds of ms to start; the first runs come before they are up.
    const library = await openSkillLibrary({ store: ":memory:", sandbox: { engine: "isolated-vm", poolSize: 8 } });
    try {
      await library.batchAddSkills([skill("add", { code: "async (context) => context.a + context.b" })]);
      const started = performance.now();
      const settledAfter = (run: Promise<unknown>) => run.then(() => performance.now() - started, () => performance.now() - started);
      const hurried = library.executeSkill("add", { a: 1, b: 2 }, { timeout: 20 });
      const patient = library.executeSkill("add", { a: 2, b: 3 }, { timeout: 30_000 });
      const [hurriedMs, patientMs] = await Promise.all([settledAfter(hurried), settledAfter(patient)]);
      await expect(hurried).rejects.toMatchObject({ code: "SKILL_TIMEOUT", timeoutMs: 20 });
      expect(await patient).toBe(5);
      // The patient run ended once the pool was up; the hurried one was refused long before that
      // (waiting for the pool, it would have been refused only when the pool was up, with the other).
      expect(hurriedMs).toBeLessThan(patientMs / 2);
      expect((await library.getSkill("add"))?.stats).toMatchObject({ executions: 2, successes: 1, timeouts: 1 });
    } finally {
      await library.close();
    }
  });
});
