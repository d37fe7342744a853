import { describe, expect, it } from "vitest";
import { UnsupportedOperationError, openSkillLibrary } from "../../src/index.js";
import { skill } from "../support/skills.js";
import { PG_AVAILABLE, pgSchemaUrl } from "../support/stores.js";

describe.runIf(PG_AVAILABLE)("the sync API on a store that is not embedded", () => {
  it("addSkillSync, getSkillSync and searchSkillsSync throw UnsupportedOperationError; the async API works", async () => {
    const library = await openSkillLibrary({ store: pgSchemaUrl() });
    try {
      expect(() => library.addSkillSync(skill("a"))).toThrow(UnsupportedOperationError);
      expect(() => library.getSkillSync("a")).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
      expect(() => library.searchSkillsSync("a")).toThrow(/needs the embedded \(SQLite\) store/);
      await library.addSkill(skill("a"));
      expect((await library.getSkill("a"))?.version).toBe(1);
    } finally {
      await library.close();
    }
  });
});
