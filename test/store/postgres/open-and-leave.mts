// A separate process for the lifetime test: opens the PostgreSQL store, writes, and then
// either closes it or just stops (argv[3] = "close" | "no-close"). It must exit by itself.
import { indexedText } from "../../../src/search/analyzer.js";
import { contentHash } from "../../../src/skill/content-hash.js";
import { normalizeSkill } from "../../../src/skill/validate-skill.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";

const [url, mode] = process.argv.slice(2);
const store = await PostgresStore.open(url as string);
store.watch(() => undefined);
const content = normalizeSkill({ id: "lifetime", name: "Lifetime", description: "Checks the process exits" });
await store.save({ skill: content, hash: contentHash(content), index: indexedText(content) });
await store.recordExecution({ skillId: "lifetime", version: 1, startedAt: new Date().toISOString(), durationMs: 1, outcome: "success" });
await store.get("lifetime");
process.stdout.write("wrote\n");
if (mode === "close") await store.close();
