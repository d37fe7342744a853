import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SkillNotFoundError, SkillTimeoutError, SkillValidationError, openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { skill } from "../support/skills.js";

describe("workflows", () => {
  let library: SkillLibrary;
  const seen: Record<string, unknown>[] = [];
  beforeEach(async () => {
    seen.length = 0;
    library = await openSkillLibrary({ store: ":memory:" });
    await library.batchAddSkills([skill("login"), skill("extract"), skill("save"), skill("boom"), skill("slow")]);
    library.registerHandler("login", async (c) => (seen.push(c), { session: `s-${c["url"]}` }));
    library.registerHandler("extract", async (c) => (seen.push(c), { rows: [1, 2, 3], session: "overridden" }));
    library.registerHandler("save", async (c) => (seen.push(c), ["not", "merged"]));
    library.registerHandler("boom", async () => {
      throw new Error("disk full");
    });
    library.registerHandler("slow", (_c, { signal }) => new Promise((resolve) => signal.addEventListener("abort", resolve)));
  });
  afterEach(async () => library.close());

  it(".composeSkills() - passes the running context and reports every step", async () => {
    const result = await library.composeSkills(["login", "extract", "save"], { url: "x" }, { workflowName: "Login and Extract" });
    expect(result).toMatchObject({ workflowName: "Login and Extract", success: true, completedSteps: 3, totalSteps: 3 });
    expect(seen).toEqual([{ url: "x" }, { url: "x", session: "s-x" }, { url: "x", session: "overridden", rows: [1, 2, 3] }]);
    expect(result.context).toEqual({ url: "x", session: "overridden", rows: [1, 2, 3] });
    expect(result.steps.map((s) => [s.skillId, s.success])).toEqual([["login", true], ["extract", true], ["save", true]]);
    expect(result.steps[2]?.result).toEqual(["not", "merged"]);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it(".composeSkills() - stops at the first failure and never rejects", async () => {
    const result = await library.composeSkills(["login", "boom", "save"], { url: "y" });
    expect(result).toMatchObject({ workflowName: "workflow", success: false, completedSteps: 1, totalSteps: 3 });
    expect(result.error).toContain("disk full");
    expect(result.steps.map((s) => s.skillId)).toEqual(["login", "boom"]);
    expect(result.context).toEqual({ url: "y", session: "s-y" });
    const missing = await library.composeSkills(["nope"], {});
    expect(missing.steps[0]?.error).toContain('"nope" does not exist');
  });

  it(".composeSkills() - timeoutPerSkill stops a slow step", async () => {
    const result = await library.composeSkills(["login", "slow", "save"], {}, { timeoutPerSkill: 30 });
    expect(result.success).toBe(false);
    expect(result.error).toMatch(/"slow" did not finish within 30 ms/);
  });

  it("a stored workflow runs its steps through executeSkill and resolves to the running context", async () => {
    await library.addSkill(skill("flow", { steps: ["login", "extract"] }));
    expect(await library.executeSkill("flow", { url: "z" })).toEqual({ url: "z", session: "overridden", rows: [1, 2, 3] });
    await library.addSkill(skill("outer", { steps: ["flow", "save"] }));
    expect(await library.executeSkill("outer", { url: "w" })).toEqual({ url: "w", session: "overridden", rows: [1, 2, 3] });
    expect((await library.getSkill("flow"))?.stats.executions).toBe(2);
    expect((await library.getSkill("login"))?.stats.executions).toBe(2);
  });

  it("a stored workflow rejects with the failing step's error; a step saved later works", async () => {
    await library.addSkill(skill("later_flow", { steps: ["login", "not_yet"] }));
    const missing = library.executeSkill("later_flow", {});
    await expect(missing).rejects.toBeInstanceOf(SkillNotFoundError);
    await expect(missing).rejects.toThrow(/not_yet/);
    await library.addSkill(skill("not_yet"));
    library.registerHandler("not_yet", () => ({ done: true }));
    await expect(library.executeSkill("later_flow", {})).resolves.toMatchObject({ done: true });
    await library.addSkill(skill("bad_flow", { steps: ["login", "boom"] }));
    await expect(library.executeSkill("bad_flow", {})).rejects.toThrow(/"boom" failed: disk full/);
    expect((await library.getSkill("bad_flow"))?.stats).toMatchObject({ executions: 1, failures: 1 });
  });

  it("a stored workflow shares one timeout across its steps", async () => {
    await library.addSkill(skill("slow_flow", { steps: ["login", "slow"] }));
    await expect(library.executeSkill("slow_flow", {}, { timeout: 40 })).rejects.toBeInstanceOf(SkillTimeoutError);
    expect((await library.getSkill("slow_flow"))?.stats).toMatchObject({ timeouts: 1 });
  });

  it("a cycle of stored workflows is refused with a clear error", async () => {
    await library.addSkill(skill("ping", { steps: ["login", "pong"] }));
    await library.addSkill(skill("pong", { steps: ["ping"] }));
    const run = library.executeSkill("ping", {});
    await expect(run).rejects.toBeInstanceOf(SkillValidationError);
    await expect(run).rejects.toThrow("ping → pong → ping");
    await library.addSkill(skill("self", { steps: ["self"] }));
    await expect(library.executeSkill("self", {})).rejects.toThrow("self → self");
  });
});
