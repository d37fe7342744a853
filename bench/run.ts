/**
 * `npm run bench [-- --sizes=1k,10k,100k] [--pg-max=10k] [--only=SUITES] [--out=FILE]`: every
 * benchmark against its baseline in the same run; writes bench/results.json (read by
 * `npm run bench:report`). See bench/bench-options.ts for the options and their env twins.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchOptions, type Suite } from "./bench-options.js";
import { benchExecution } from "./exec-bench.js";
import { benchPeers } from "./peers/langgraph-bench.js";
import { benchPostgres } from "./postgres-bench.js";
import { recordSkipped, writeResults } from "./report.js";
import { benchScaling } from "./scaling-bench.js";
import { benchSqliteStore } from "./store-bench.js";

const options = benchOptions();
const run: Record<Suite, () => Promise<void>> = {
  store: benchSqliteStore,
  exec: benchExecution,
  postgres: benchPostgres,
  peers: () => benchPeers(options),
  scaling: () => benchScaling(options),
};
console.log(`sizes ${options.sizes.join(", ")}; suites ${options.suites.join(", ")}`);
console.log("suite      benchmark                                         ours");
for (const suite of options.suites) {
  try {
    await run[suite]();
  } catch (error) {
    // One broken suite (e.g. src/ mid-change) must not lose the others' rows.
    console.error(error);
    recordSkipped(`suite ${suite} failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
  }
}
writeResults(options.out ? resolve(process.cwd(), options.out) : fileURLToPath(new URL("./results.json", import.meta.url)), { sizes: options.sizes });
