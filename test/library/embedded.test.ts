import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  InvalidArgumentError, StoreUnavailableError, getSkillLibrary, openSkillLibrary, type SkillLibrary,
} from "../../src/index.js";
import { skill } from "../support/skills.js";
import { tempDir } from "../support/stores.js";

const dir = tempDir();

describe("embedded store: opening and the sync API", () => {
  const open: SkillLibrary[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
  });

  it("getSkillLibrary() - one shared library; sync methods work at once", async () => {
    const path = join(dir, "shared.db");
    const library = getSkillLibrary({ store: path });
    open.push(library);
    expect(getSkillLibrary()).toBe(library);
    expect(library.addSkillSync(skill("s", { name: "Sync skill", description: "saved without a promise" })).version).toBe(1);
    expect(library.getSkillSync("s")?.name).toBe("Sync skill");
    expect(library.searchSkillsSync("promise").map((s) => s.id)).toEqual(["s"]);
    expect((await library.getSkill("s"))?.version).toBe(1);
    await library.close();
    expect(() => library.getSkillSync("s")).toThrow(expect.objectContaining({ code: "LIBRARY_CLOSED" }));
    const next = getSkillLibrary({ store: path });
    open.push(next);
    expect(next).not.toBe(library);
    expect(next.getSkillSync("s")?.version).toBe(1);
  });

  it("SKILL_LIBRARY_URL chooses the store; sqlite: and :memory: work", async () => {
    const path = join(dir, "from-env.db");
    process.env["SKILL_LIBRARY_URL"] = `sqlite:${path}`;
    try {
      const library = await openSkillLibrary();
      open.push(library);
      await library.addSkill(skill("env"));
    } finally {
      delete process.env["SKILL_LIBRARY_URL"];
    }
    const again = await openSkillLibrary({ store: path });
    open.push(again);
    expect((await again.getSkill("env"))?.id).toBe("env");
    const memory = await openSkillLibrary({ store: ":memory:" });
    open.push(memory);
    expect(await memory.getSkill("env")).toBeUndefined();
  });

  it("refuses unknown options and malformed store strings with InvalidArgumentError", async () => {
    await expect(openSkillLibrary({ bogus: true } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openSkillLibrary({ cache: { max: 0 } })).rejects.toMatchObject({ argument: "options.cache.max" });
    await expect(openSkillLibrary({ sandbox: { engine: "v8" } as never })).rejects.toMatchObject({ argument: "options.sandbox.engine" });
    await expect(openSkillLibrary({ store: "mysql://x@y/z" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", argument: "store" });
    await expect(openSkillLibrary({ store: "" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(openSkillLibrary({ store: "postgres://bad url" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("a corrupt or non-SQLite file is refused with StoreUnavailableError and left untouched", async () => {
    const junk = join(dir, "junk.db");
    const text = "this is not a database, it is a text file that happens to be long enough ".repeat(20);
    writeFileSync(junk, text);
    const attempt = openSkillLibrary({ store: junk });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.toThrow(/junk\.db/);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(junk, "utf8")).toBe(text);
    await expect(openSkillLibrary({ store: join(dir, "no-such-dir", "x.db") })).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
  });

  it("the cache drops exactly what changed and counts hits", async () => {
    const library = await openSkillLibrary({ store: ":memory:", cache: { max: 10, ttlMs: 60_000 } });
    open.push(library);
    await library.addSkill(skill("a"));
    await library.addSkill(skill("b"));
    await library.getSkill("a");
    await library.getSkill("b");
    await library.getSkill("a");
    expect(library.cacheStats()).toMatchObject({ hits: 1, misses: 2, size: 2 });
    await library.addSkill(skill("b", { name: "changed" }));
    expect((await library.getSkill("b"))?.name).toBe("changed");
    await library.getSkill("a");
    expect(library.cacheStats()).toMatchObject({ hits: 2, misses: 3 });
    const uncached = await openSkillLibrary({ store: ":memory:", cache: false });
    open.push(uncached);
    expect(uncached.cacheStats()).toBeUndefined();
  });
});
