import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AbortError, SkillExecutionError, SkillNotExecutableError, SkillNotFoundError, SkillTimeoutError, SkillValidationError,
  openSkillLibrary, type SkillLibrary,
} from "../../src/index.js";
import { skill } from "../support/skills.js";

describe("executeSkill() with registered handlers", () => {
  let library: SkillLibrary;
  beforeEach(async () => {
    library = await openSkillLibrary({ store: ":memory:" });
  });
  afterEach(async () => library.close());

  it("runs a handler with the context and tools; records a success before settling", async () => {
    await library.addSkill(skill("double", { parameters: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } }));
    library.registerHandler("double", async (context, { tools }) => ({ doubled: (context["n"] as number) * 2, note: await tools["note"]?.() }));
    const result = await library.executeSkill("double", { n: 21 }, { tools: { note: () => "from host" }, agentId: "agent-7" });
    expect(result).toEqual({ doubled: 42, note: "from host" });
    const stats = (await library.getSkill("double"))?.stats;
    expect(stats).toMatchObject({ executions: 1, successes: 1, failures: 0, timeouts: 0, successRate: 1 });
    expect(stats?.lastExecutedAt).toMatch(/^\d{4}-/);
    expect((await library.getSkill("double"))?.version).toBe(1);
  });

  it("checks before a run: unknown id, a context the schema refuses, nothing to run", async () => {
    await expect(library.executeSkill("missing")).rejects.toBeInstanceOf(SkillNotFoundError);
    await library.addSkill(skill("typed", { parameters: { type: "object", properties: { url: { type: "string", format: "uri" }, n: { type: "integer" } }, required: ["url", "n"] } }));
    let ran = 0;
    library.registerHandler("typed", () => ran++);
    const refused = library.executeSkill("typed", { url: "not a uri", n: 1.5 });
    await expect(refused).rejects.toBeInstanceOf(SkillValidationError);
    await expect(refused).rejects.toMatchObject({ problems: [{ path: "context.url" }, { path: "context.n" }] });
    await expect(library.executeSkill("typed", {})).rejects.toMatchObject({ problems: [{ path: "context.url" }, { path: "context.n" }] });
    expect(ran).toBe(0);
    expect((await library.getSkill("typed"))?.stats.executions).toBe(0);
    await library.addSkill(skill("inert", { instructions: "Only words" }));
    await expect(library.executeSkill("inert")).rejects.toBeInstanceOf(SkillNotExecutableError);
  });

  it("a throw becomes SkillExecutionError with the message and stack; counted as a failure", async () => {
    await library.addSkill(skill("fails"));
    library.registerHandler("fails", () => {
      throw new TypeError("bad input shape");
    });
    const run = library.executeSkill("fails");
    await expect(run).rejects.toBeInstanceOf(SkillExecutionError);
    await expect(run).rejects.toMatchObject({ code: "SKILL_FAILED", skillId: "fails", message: expect.stringContaining("bad input shape") });
    expect((await library.getSkill("fails"))?.stats).toMatchObject({ executions: 1, failures: 1, successes: 0 });
  });

  it("the deadline fires the handler's signal and rejects with SkillTimeoutError (a timeout is a failure)", async () => {
    await library.addSkill(skill("slow"));
    let aborted: unknown;
    library.registerHandler("slow", (_context, { signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => {
      aborted = signal.reason;
      reject(new Error("stopped"));
    })));
    const run = library.executeSkill("slow", {}, { timeout: 50 });
    await expect(run).rejects.toBeInstanceOf(SkillTimeoutError);
    await expect(run).rejects.toMatchObject({ timeoutMs: 50 });
    expect(aborted).toBeInstanceOf(SkillTimeoutError);
    expect((await library.getSkill("slow"))?.stats).toMatchObject({ executions: 1, failures: 1, timeouts: 1 });
  });

  it("the caller's signal cancels a run with AbortError (a failure); aborted before the start, nothing runs", async () => {
    await library.addSkill(skill("waits"));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    library.registerHandler("waits", (_c, { signal }) => new Promise((resolve) => {
      started();
      signal.addEventListener("abort", resolve);
    }));
    const controller = new AbortController();
    const run = library.executeSkill("waits", {}, { signal: controller.signal });
    await running;
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(library.executeSkill("waits", {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
    expect((await library.getSkill("waits"))?.stats).toMatchObject({ executions: 1, failures: 1, timeouts: 0 });
  });

  it("results are fresh plain JSON: a __proto__ key pollutes nothing; oversize results are refused", async () => {
    const limited = await openSkillLibrary({ store: ":memory:", sandbox: { maxResultBytes: 1000 } });
    try {
      await limited.addSkill(skill("proto"));
      limited.registerHandler("proto", () => JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
      const result = (await limited.executeSkill("proto")) as Record<string, unknown>;
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(result["ok"]).toBe(1);
      await limited.addSkill(skill("big"));
      limited.registerHandler("big", () => "x".repeat(2000));
      await expect(limited.executeSkill("big")).rejects.toMatchObject({ code: "SKILL_LIMIT", limit: "result" });
    } finally {
      await limited.close();
    }
  });

  it("200 concurrent runs in one process are counted exactly", async () => {
    await library.addSkill(skill("count"));
    library.registerHandler("count", async () => 1);
    await Promise.all(Array.from({ length: 200 }, () => library.executeSkill("count")));
    const stats = (await library.getSkill("count"))?.stats;
    expect(stats).toMatchObject({ executions: 200, successes: 200, failures: 0 });
    expect(stats?.p95DurationMs).toBeGreaterThanOrEqual(0);
    expect(stats?.avgDurationMs).toBeGreaterThanOrEqual(0);
  });

  it("bad arguments are refused clearly", async () => {
    await library.addSkill(skill("a"));
    library.registerHandler("a", () => 1);
    await expect(library.executeSkill("a", {}, { timeout: -5 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "timeout" });
    await expect(library.executeSkill("a", [] as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "context" });
    await expect(library.executeSkill("a", {}, { tools: { x: 5 as never } })).rejects.toMatchObject({ argument: "tools.x" });
    expect(() => library.registerHandler("a", "nope" as never)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("batchExecuteSkills()", () => {
  it("keeps input order, reports each error, never rejects, and honours maxConcurrent exactly", async () => {
    const library = await openSkillLibrary({ store: ":memory:" });
    try {
      await library.addSkill(skill("track"));
      let inFlight = 0;
      let peak = 0;
      const gates: (() => void)[] = [];
      library.registerHandler("track", async (context) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => gates.push(resolve));
        inFlight--;
        if (context["fail"]) throw new Error(`failing ${context["i"]}`);
        return context["i"];
      });
      const executions: [string, Record<string, unknown>][] = Array.from({ length: 20 }, (_, i) => ["track", { i, fail: i % 7 === 3 }]);
      executions.splice(5, 0, ["missing", {}]);
      const pending = library.batchExecuteSkills(executions, { maxConcurrent: 4 });
      // Let every queued run start as slots free up: release gates as they arrive.
      const release = setInterval(() => gates.shift()?.(), 1);
      const results = await pending;
      clearInterval(release);
      expect(peak).toBe(4);
      expect(results.map(([id]) => id)).toEqual(executions.map(([id]) => id));
      expect(results[5]?.[2]).toBeInstanceOf(SkillNotFoundError);
      const tracked = results.filter(([id]) => id === "track");
      expect(tracked.map(([, value]) => value)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 7 === 3 ? undefined : i)));
      expect(tracked.filter(([, , error]) => error instanceof SkillExecutionError)).toHaveLength(3);
      await expect(library.batchExecuteSkills([], { maxConcurrent: 0 })).rejects.toMatchObject({ argument: "maxConcurrent" });
    } finally {
      await library.close();
    }
  });
});
