import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LibraryClosedError, SkillNotFoundError, SkillValidationError, VersionConflictError, openSkillLibrary, type SkillLibrary,
} from "../../src/index.js";
import { skill } from "../support/skills.js";
import { STORES } from "../support/stores.js";

for (const store of STORES) {
  describe(`${store.name}: skills and versions`, () => {
    let library: SkillLibrary;
    beforeEach(async () => {
      library = await openSkillLibrary({ store: store.url() });
    });
    afterEach(async () => library.close());

    it(".addSkill() - creates version 1 with defaults, stats at zero, frozen", async () => {
      const saved = await library.addSkill(skill("a", { code: "async () => 1", instructions: "# Use it" }), { author: "agent-1", message: "first" });
      expect(saved).toMatchObject({ skillId: "a", version: 1 });
      expect(saved.hash).toMatch(/^[0-9a-f]{64}$/);
      const got = await library.getSkill("a");
      expect(got).toMatchObject({ id: "a", version: 1, category: "general", tags: [], metadata: {}, code: "async () => 1", instructions: "# Use it" });
      expect(got?.stats).toEqual({ executions: 0, successes: 0, failures: 0, timeouts: 0, successRate: 0, avgDurationMs: 0, p95DurationMs: 0 });
      expect(Object.isFrozen(got)).toBe(true);
      expect(Object.isFrozen(got?.tags)).toBe(true);
      expect(got?.createdAt).toBe(saved.savedAt);
    });

    it(".addSkill() - an unchanged skill saves nothing new; a change appends a version", async () => {
      const v1 = await library.addSkill(skill("a"));
      const same = await library.addSkill(skill("a"));
      expect(same).toEqual(v1);
      const v2 = await library.addSkill(skill("a", { description: "changed" }));
      expect(v2.version).toBe(2);
      const history = await library.getVersionHistory("a");
      expect(history.map((h) => h.version)).toEqual([1, 2]);
      expect(history[0]).toMatchObject({ skill: { description: "Does the a thing for tests" }, hash: v1.hash });
      expect(history[1]?.skill.description).toBe("changed");
      expect(await library.getVersion("a")).toEqual(v2);
    });

    it(".addSkill() - rejects a stale expectedVersion with VersionConflictError and changes nothing", async () => {
      await library.addSkill(skill("a"));
      await library.addSkill(skill("a", { name: "second" }), { expectedVersion: 1 });
      const stale = library.addSkill(skill("a", { name: "third" }), { expectedVersion: 1 });
      await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
      await expect(stale).rejects.toMatchObject({ code: "VERSION_CONFLICT", expected: 1, actual: 2, skillId: "a" });
      expect((await library.getSkill("a"))?.name).toBe("second");
      await expect(library.addSkill(skill("a"), { expectedVersion: 0 })).rejects.toMatchObject({ expected: 0, actual: 2 });
      await expect(library.addSkill(skill("new"), { expectedVersion: 3 })).rejects.toMatchObject({ expected: 3, actual: 0 });
      expect(await library.getSkill("new")).toBeUndefined();
      await expect(library.addSkill(skill("new"), { expectedVersion: 0 })).resolves.toMatchObject({ version: 1 });
    });

    it(".addSkill() - concurrent writers with one expectedVersion: exactly one wins", async () => {
      await library.addSkill(skill("race"));
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => library.addSkill(skill("race", { name: `writer ${i}` }), { expectedVersion: 1 })),
      );
      expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      expect(attempts.filter((a) => a.status === "rejected" && a.reason instanceof VersionConflictError)).toHaveLength(19);
      expect((await library.getVersionHistory("race")).map((h) => h.version)).toEqual([1, 2]);
    });

    it(".addSkill() - invalid input rejects with every problem and stores nothing", async () => {
      const bad = { id: "ok", name: "", description: 5 } as never;
      await expect(library.addSkill(bad)).rejects.toBeInstanceOf(SkillValidationError);
      await expect(library.addSkill(bad)).rejects.toMatchObject({ problems: [{ path: "name" }, { path: "description" }] });
      expect(await library.getSkill("ok")).toBeUndefined();
      await expect(library.addSkill(skill("a", { description: "x".repeat(10_001) }))).rejects.toMatchObject({ code: "SKILL_INVALID" });
      await expect(library.addSkill(skill("a", { description: "x".repeat(10_001) }), { validate: false })).resolves.toMatchObject({ version: 1 });
      await expect(library.addSkill(skill("a"), { expectedVersion: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });

    it(".deleteSkill() - keeps history; versions continue after re-add; restoreVersion brings it back", async () => {
      await library.addSkill(skill("a"));
      await library.addSkill(skill("a", { name: "v2" }));
      await expect(library.deleteSkill("a", { expectedVersion: 1 })).rejects.toBeInstanceOf(VersionConflictError);
      expect(await library.deleteSkill("a", { expectedVersion: 2 })).toBe(true);
      expect(await library.deleteSkill("a")).toBe(false);
      expect(await library.getSkill("a")).toBeUndefined();
      expect(await library.getVersion("a")).toBeUndefined();
      expect((await library.getVersionHistory("a")).length).toBe(2);
      const restored = await library.restoreVersion("a", 1, { expectedVersion: 0 });
      expect(restored.version).toBe(3);
      expect((await library.getSkill("a"))?.name).toBe("Skill a");
      const again = await library.addSkill(skill("a", { name: "v4" }));
      expect(again.version).toBe(4);
      await expect(library.restoreVersion("a", 9)).rejects.toBeInstanceOf(SkillNotFoundError);
      expect((await library.restoreVersion("a", 2)).version).toBe(5);
      expect((await library.getSkill("a"))?.name).toBe("v2");
    });

    it(".batchAddSkills() - saves the valid ones, false for the refused", async () => {
      const result = await library.batchAddSkills([skill("a"), { id: "b" } as never, skill("c"), { name: "no id" } as never]);
      expect(result).toEqual({ a: true, b: false, c: true, "#3": false });
      expect((await library.listSkills()).map((s) => s.id)).toEqual(["a", "c"]);
    });

    it(".listSkills() - by id with filters, limit and offset", async () => {
      await library.batchAddSkills([
        skill("c", { category: "web", tags: ["x", "y"] }),
        skill("a", { category: "web", tags: ["x"] }),
        skill("b", { category: "data", tags: ["y"] }),
      ]);
      expect((await library.listSkills()).map((s) => s.id)).toEqual(["a", "b", "c"]);
      expect((await library.listSkills({ category: "web" })).map((s) => s.id)).toEqual(["a", "c"]);
      expect((await library.listSkills({ tags: ["x", "y"] })).map((s) => s.id)).toEqual(["c"]);
      expect((await library.listSkills({ limit: 1, offset: 1 })).map((s) => s.id)).toEqual(["b"]);
      await expect(library.listSkills({ limit: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "limit" });
    });

    it(".close() - waits for work in flight, then every call rejects with LibraryClosedError", async () => {
      const pending = library.addSkill(skill("late"));
      await library.close();
      await expect(pending).resolves.toMatchObject({ version: 1 });
      await expect(library.getSkill("late")).rejects.toBeInstanceOf(LibraryClosedError);
      await expect(library.searchSkills("x")).rejects.toMatchObject({ code: "LIBRARY_CLOSED" });
      await expect(library.addSkill(skill("x"))).rejects.toMatchObject({ code: "LIBRARY_CLOSED" });
    });
  });

  describe(`${store.name}: search`, () => {
    let library: SkillLibrary;
    beforeEach(async () => {
      library = await openSkillLibrary({ store: store.url() });
      await library.batchAddSkills([
        skill("nav_login", { name: "Log in to a website", description: "Fills the login form with username and password", category: "browser", tags: ["auth", "browser"] }),
        skill("extract_table", { name: "Extract table data", description: "Reads an HTML table into rows", category: "data", tags: ["scrape"] }),
        skill("send_email", { name: "Send an email", description: "Sends a message over SMTP", category: "comms", tags: ["email"], instructions: "Use the SMTP relay configured for the team" }),
      ]);
    });
    afterEach(async () => library.close());

    it(".searchSkills() - finds word forms: 'logging in' finds login", async () => {
      const found = await library.searchSkills("logging in");
      expect(found[0]?.id).toBe("nav_login");
    });

    it(".searchSkills() - matches name, description, tags, category and instructions", async () => {
      expect((await library.searchSkills("table"))[0]?.id).toBe("extract_table");
      expect((await library.searchSkills("scrape"))[0]?.id).toBe("extract_table");
      expect((await library.searchSkills("comms"))[0]?.id).toBe("send_email");
      expect((await library.searchSkills("relay"))[0]?.id).toBe("send_email");
    });

    it(".searchSkills() - ranks a match in the name above one in the instructions", async () => {
      await library.batchAddSkills([
        skill("mentions_invoice", { name: "Archive documents", description: "Stores files", instructions: "Works for an invoice too" }),
        skill("invoice_skill", { name: "Create an invoice", description: "Bills a customer" }),
      ]);
      const ids = (await library.searchSkills("invoice", { useCache: false })).map((s) => s.id);
      expect(ids[0]).toBe("invoice_skill");
      expect(ids).toContain("mentions_invoice");
    });

    it(".searchSkills() - FTS syntax characters are plain text, never an error", async () => {
      for (const query of ['"', '"login', "log*", "a:b", "(login", "-login", "login NEAR table", "NOT", "AND OR", "^", "{}", "'; DROP TABLE skills; --"]) {
        await expect(library.searchSkills(query)).resolves.toBeInstanceOf(Array);
      }
      expect((await library.searchSkills('"login" -table')).map((s) => s.id)).toContain("nav_login");
    });

    it(".searchSkills() - filters by category, all tags, minSuccessRate, limit", async () => {
      expect((await library.searchSkills("data", { category: "browser" })).map((s) => s.id)).toEqual([]);
      expect((await library.searchSkills("login", { tags: ["auth", "browser"] })).map((s) => s.id)).toEqual(["nav_login"]);
      expect(await library.searchSkills("login", { tags: ["auth", "nope"] })).toEqual([]);
      expect(await library.searchSkills("login", { minSuccessRate: 0.5 })).toEqual([]);
      expect((await library.searchSkills("", { limit: 2 })).length).toBe(2);
    });

    it(".searchSkills() - an empty query lists by filters", async () => {
      expect((await library.searchSkills("", { category: "data" })).map((s) => s.id)).toEqual(["extract_table"]);
      expect((await library.searchSkills("  ")).length).toBe(3);
    });

    it(".searchSkills() - a cached search sees a write made since", async () => {
      expect(await library.searchSkills("payment")).toEqual([]);
      await library.addSkill(skill("pay", { name: "Pay an invoice", description: "Makes a payment" }));
      expect((await library.searchSkills("payment")).map((s) => s.id)).toEqual(["pay"]);
      await library.deleteSkill("pay");
      expect(await library.searchSkills("payment")).toEqual([]);
    });

    it(".searchSkills() - bad options are refused clearly", async () => {
      await expect(library.searchSkills("x", { minSuccessRate: 2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "minSuccessRate" });
      await expect(library.searchSkills("x", { bogus: 1 } as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(library.searchSkills(5 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "query" });
    });
  });
}
