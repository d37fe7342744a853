import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_EVAL_FILE, figures, loadEvalSet, type Rankings } from "../../bench/eval-search.js";
import { openSkillLibrary } from "../../src/index.js";
import { parseStoreLocation } from "../../src/library/library-options.js";
import { searchAsync } from "../../src/search/search-skills.js";
import { openStore } from "../../src/store/open-store.js";
import { STORES } from "../support/stores.js";

/**
 * Before the in-memory index is built (and in a one-shot CLI search), candidates come from
 * the store's own full-text index (FTS5, tsvector). That path must rank as well, and agree
 * with the index on the dev set, on both stores.
 */
describe.skipIf(!existsSync(DEFAULT_EVAL_FILE))("search through the store's full-text index", () => {
  for (const store of STORES) {
    it(`${store.name}: the dev set ranks as well as through the in-memory index`, async () => {
      const data = loadEvalSet(DEFAULT_EVAL_FILE);
      const url = store.url();
      const library = await openSkillLibrary({ store: url });
      const raw = await openStore(parseStoreLocation(url));
      try {
        await library.batchAddSkills(data.skills);
        const viaIndex: Rankings = [];
        const viaStore: Rankings = [];
        for (const q of data.queries) {
          viaIndex.push((await library.searchSkills(q.query, { limit: 10, useCache: false })).map((s) => s.id));
          viaStore.push((await searchAsync(raw, q.query, {}, 10)).map((s) => s.id));
        }
        const index = figures(data.queries, viaIndex);
        const direct = figures(data.queries, viaStore);
        console.log(`[skill-library tests] ${store.name}: recall@5 ${direct.recallAt5.toFixed(3)} / MRR ${direct.mrr.toFixed(3)} through the store, ${index.recallAt5.toFixed(3)} / ${index.mrr.toFixed(3)} through the index`);
        expect(direct.recallAt5).toBeGreaterThanOrEqual(index.recallAt5 - 0.03);
        expect(direct.mrr).toBeGreaterThanOrEqual(index.mrr - 0.03);
        const sameFirst = data.queries.filter((_, i) => viaIndex[i]?.[0] === viaStore[i]?.[0]).length;
        expect(sameFirst).toBeGreaterThanOrEqual(Math.floor(0.95 * data.queries.length));
      } finally {
        await raw.close();
        await library.close();
      }
    }, 60_000);
  }
});
