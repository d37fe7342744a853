import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { skill, waitFor } from "../support/skills.js";
import { STORES } from "../support/stores.js";

/**
 * Searches go to an in-memory index of every skill once it is built: these tests prove it
 * never answers from an old picture of the store, for this library's own writes and runs and
 * for another library's (another connection, as another process or machine would be).
 */
for (const store of STORES) {
  describe(`${store.name}: search stays fresh`, () => {
    let url: string;
    let library: SkillLibrary;
    let other: SkillLibrary;
    beforeEach(async () => {
      url = store.url();
      library = await openSkillLibrary({ store: url });
      other = await openSkillLibrary({ store: url });
      await library.batchAddSkills([
        skill("resize", { name: "Resize images", description: "Makes pictures smaller" }),
        skill("email", { name: "Send email", description: "Mails a message to someone" }),
      ]);
      // The first search builds the index.
      expect(ids(await library.searchSkills("resize", { useCache: false }))).toEqual(["resize"]);
    });
    afterEach(async () => {
      await other.close();
      await library.close();
    });

    const ids = (skills: readonly { id: string }[]) => skills.map((s) => s.id);

    it(".searchSkills() - sees this library's add, change, delete and restore at once", async () => {
      await library.addSkill(skill("crop", { name: "Crop photos", description: "Cuts the edges off a photo" }));
      expect(ids(await library.searchSkills("crop"))).toEqual(["crop"]);
      await library.addSkill(skill("resize", { name: "Send fax", description: "Faxes a document" }));
      expect(ids(await library.searchSkills("resize", { useCache: false }))).toEqual([]);
      expect(ids(await library.searchSkills("fax", { useCache: false }))).toEqual(["resize"]);
      await library.deleteSkill("email");
      expect(ids(await library.searchSkills("email", { useCache: false }))).toEqual([]);
      await library.restoreVersion("resize", 1);
      expect(ids(await library.searchSkills("resize", { useCache: false }))).toEqual(["resize"]);
    });

    it(".searchSkills() - sees another library's writes (another process or machine)", async () => {
      await other.addSkill(skill("crop", { name: "Crop photos", description: "Cuts the edges off a photo" }));
      await other.deleteSkill("email");
      await waitFor(async () => ids(await library.searchSkills("crop", { useCache: false })).includes("crop"), 5000, "the other library's new skill in search");
      await waitFor(async () => ids(await library.searchSkills("email", { useCache: false })).length === 0, 5000, "the deleted skill gone from search");
    });

    it(".searchSkills() - minSuccessRate and reliability follow runs at once", async () => {
      await library.addSkill(skill("flaky", { name: "Resize images fast", description: "Makes pictures smaller", code: "async () => { throw new Error('no') }" }));
      await expect(library.executeSkill("flaky")).rejects.toThrow();
      const passing = await library.searchSkills("resize images", { useCache: false, minSuccessRate: 0.5 });
      expect(ids(passing)).toEqual([]);
      const all = await library.searchSkills("resize images", { useCache: false });
      expect(all.find((s) => s.id === "flaky")?.stats.failures).toBe(1);
    });

    if (store.name === "sqlite") {
      it(".searchSkillsSync() - sees another connection's commit in the very next call", async () => {
        await other.addSkill(skill("crop", { name: "Crop photos", description: "Cuts the edges off a photo" }));
        expect(ids(library.searchSkillsSync("crop", { useCache: false }))).toEqual(["crop"]);
      });
    }
  });
}
