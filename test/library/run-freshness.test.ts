import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SkillNotFoundError, openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { skill, waitFor } from "../support/skills.js";
import { STORES } from "../support/stores.js";

/**
 * `executeSkill` runs the skill's current code: the library keeps what it runs in memory
 * between runs (a run changes a skill's stats, not its code), and these tests prove that
 * memory never runs an old version, after this library's writes or another library's (another
 * connection, as another process or machine would be).
 */
for (const store of STORES) {
  describe(`${store.name}: runs use the current code`, () => {
    let library: SkillLibrary;
    let other: SkillLibrary;
    beforeEach(async () => {
      const url = store.url();
      library = await openSkillLibrary({ store: url });
      other = await openSkillLibrary({ store: url });
      await library.addSkill(skill("answer", { code: "async () => 1" }));
      // Warm runs: whatever the libraries keep for running is now in memory.
      for (let i = 0; i < 3; i++) {
        expect(await library.executeSkill("answer")).toBe(1);
        expect(await other.executeSkill("answer")).toBe(1);
      }
    });
    afterEach(async () => {
      await other.close();
      await library.close();
    });

    it(".executeSkill() - runs this library's new version, a restored one, and nothing after a delete", async () => {
      await library.addSkill(skill("answer", { code: "async () => 2" }));
      expect(await library.executeSkill("answer")).toBe(2);
      await library.restoreVersion("answer", 1);
      expect(await library.executeSkill("answer")).toBe(1);
      await library.deleteSkill("answer");
      await expect(library.executeSkill("answer")).rejects.toBeInstanceOf(SkillNotFoundError);
    });

    it(".executeSkill() - runs another library's new version once it is told of it, and stops after its delete", async () => {
      await other.addSkill(skill("answer", { code: "async () => 2" }));
      await waitFor(async () => (await library.executeSkill("answer")) === 2, 5000, "the other library's new code to run");
      // Once seen, never the old code again.
      for (let i = 0; i < 5; i++) expect(await library.executeSkill("answer")).toBe(2);
      await other.deleteSkill("answer");
      await waitFor(
        () => library.executeSkill("answer").then(() => false, (error: unknown) => error instanceof SkillNotFoundError),
        5000,
        "the other library's delete to be seen",
      );
    });

    it(".executeSkill() - every run is counted (both libraries ran it 3 times before)", async () => {
      for (let i = 0; i < 10; i++) await library.executeSkill("answer");
      expect((await library.getSkill("answer"))?.stats.executions).toBe(16);
      expect((await other.getSkill("answer", { useCache: false }))?.stats.executions).toBe(16);
    });
  });
}
