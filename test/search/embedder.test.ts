import { afterEach, describe, expect, it } from "vitest";
import { EmbedderError, openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { parseStoreLocation } from "../../src/library/library-options.js";
import { openStore } from "../../src/store/open-store.js";
import { ConceptEmbedder } from "../support/concept-embedder.js";
import { skill } from "../support/skills.js";
import { STORES } from "../support/stores.js";

/** Made-up words, so only the (fake) embedding model can know they mean one thing. */
const CONCEPTS = [["zorbify", "glimble", "vantrek"]];
const target = skill("zorb", { name: "Zorbify a ledger", description: "Zorbifies the ledger of a shop" });
const others = [
  skill("mail", { name: "Send email", description: "Mails a message to someone" }),
  skill("resize", { name: "Resize images", description: "Makes pictures smaller" }),
];

for (const store of STORES) {
  describe(`${store.name}: optional semantic search (Embedder)`, () => {
    const open: SkillLibrary[] = [];
    const library = async (url: string, embedder?: ConceptEmbedder) => {
      const opened = await openSkillLibrary({ store: url, embedder });
      open.push(opened);
      return opened;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((l) => l.close()));
    });

    it(".searchSkills() - finds a skill by meaning with the embedder (fused with the lexical ranking), not without", async () => {
      const url = store.url();
      const embedder = new ConceptEmbedder(undefined, CONCEPTS);
      const semantic = await library(url, embedder);
      await semantic.batchAddSkills([target, ...others]);
      expect((await semantic.searchSkills("glimble the ledger")).map((s) => s.id)[0]).toBe("zorb");
      expect((await semantic.searchSkills("vantrek")).map((s) => s.id)).toContain("zorb");
      expect((await semantic.searchSkills("send email")).map((s) => s.id)[0]).toBe("mail");
      const lexical = await library(url);
      expect((await lexical.searchSkills("vantrek")).map((s) => s.id)).not.toContain("zorb");
    });

    it(".addSkill() - the vector is made before the save and stored with the version; a change makes a new one", async () => {
      const url = store.url();
      const embedder = new ConceptEmbedder(undefined, CONCEPTS);
      const lib = await library(url, embedder);
      await lib.addSkill(target);
      expect(embedder.texts).toBe(1);
      await lib.addSkill({ ...target, description: "Zorbifies every ledger" });
      const raw = await openStore(parseStoreLocation(url));
      try {
        const stored = await raw.embeddings(embedder.id);
        expect(stored.map((r) => [r.skillId, r.version, r.vector.length])).toEqual([["zorb", 2, 64]]);
      } finally {
        await raw.close();
      }
      // The index reads stored vectors: searching embeds only the query.
      embedder.texts = 0;
      await lib.searchSkills("glimble");
      expect(embedder.texts).toBe(1);
    });

    it("a new embedder over an existing store: vectors are made once for the skills that lack them, then read back", async () => {
      const url = store.url();
      await (await library(url)).batchAddSkills([target, ...others]);
      const first = new ConceptEmbedder("fake-concepts-v2", CONCEPTS);
      expect((await (await library(url, first)).searchSkills("glimble")).map((s) => s.id)[0]).toBe("zorb");
      expect(first.texts).toBe(3 + 1);
      const second = new ConceptEmbedder("fake-concepts-v2", CONCEPTS);
      expect((await (await library(url, second)).searchSkills("glimble")).map((s) => s.id)[0]).toBe("zorb");
      expect(second.texts).toBe(1);
    });

    it("a failing embedder: addSkill rejects with EMBEDDER_FAILED and stores nothing; search falls back to words", async () => {
      const url = store.url();
      const embedder = new ConceptEmbedder(undefined, CONCEPTS);
      const lib = await library(url, embedder);
      await lib.batchAddSkills(others);
      embedder.failing = new Error("service unavailable");
      const error = await lib.addSkill(target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbedderError);
      expect(error).toMatchObject({ code: "EMBEDDER_FAILED" });
      expect((error as Error).message).toContain("service unavailable");
      expect(await lib.getSkill("zorb")).toBeUndefined();
      expect((await lib.searchSkills("send email")).map((s) => s.id)[0]).toBe("mail");
    });

    it("an embedder that returns the wrong number or size of vectors is refused clearly", async () => {
      const lib = await library(store.url(), Object.assign(new ConceptEmbedder(), { embed: async () => [new Float32Array(3)] }));
      await expect(lib.addSkill(target)).rejects.toMatchObject({ code: "EMBEDDER_FAILED", message: expect.stringContaining("64 finite numbers") });
      await expect(lib.batchAddSkills([target, ...others])).rejects.toMatchObject({ code: "EMBEDDER_FAILED", message: expect.stringContaining("1 vectors for 3 texts") });
      const notFinite = await library(store.url(), Object.assign(new ConceptEmbedder(), { embed: async () => [new Float32Array(64).fill(Number.NaN, 63)] }));
      await expect(notFinite.addSkill(target)).rejects.toMatchObject({ code: "EMBEDDER_FAILED", message: expect.stringContaining("64 finite numbers") });
      expect(await notFinite.getSkill("zorb")).toBeUndefined();
    });
  });
}
