/** `npm run bench`: every benchmark against its baseline in the same run; writes bench/results.json. */
import { fileURLToPath } from "node:url";
import { writeResults } from "./report.js";
import { benchExecution } from "./exec-bench.js";
import { benchPostgres } from "./postgres-bench.js";
import { benchSqliteStore } from "./store-bench.js";

console.log("suite      benchmark                                         ours");
await benchSqliteStore();
await benchExecution();
await benchPostgres();
writeResults(fileURLToPath(new URL("./results.json", import.meta.url)));
