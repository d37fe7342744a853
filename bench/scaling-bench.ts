import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSize, type BenchOptions } from "./bench-options.js";
import { generateSkills } from "./generate-skills.js";
import { record, recordSkipped, type BenchRow } from "./report.js";
import { benchAgentProcesses } from "./scaling/agent-processes.js";
import { benchAsyncAgents } from "./scaling/async-agents.js";
import { startBenchChild } from "./scaling/bench-child.js";
import { writeWorkload, type Workload } from "./scaling/scaling-ops.js";

const GROWTH_CHILD = new URL("./scaling/growth-child.ts", import.meta.url);

/** The library size the concurrency rows use: 10k when it is asked for, else the nearest size below (or the smallest). */
export function concurrencySize(sizes: readonly number[]): number {
  const below = sizes.filter((s) => s <= 10_000);
  return below.length > 0 ? Math.max(...below) : Math.min(...sizes);
}

/**
 * `npm run bench` scaling suite, on SQLite files: latency (p50 / p99) and throughput of
 * getSkill, searchSkills, addSkill and executeSkill as the library grows (every size of
 * `options.sizes`, each in a process of its own, with the heap / RSS it holds per 10k skills),
 * then, at `concurrencySize`, as async agents (1–64, one process) and agent processes (1–8,
 * one file) grow.
 */
export async function benchScaling(options: BenchOptions): Promise<void> {
  const shared = concurrencySize(options.sizes);
  const file = join(tmpdir(), `skill-library-scaling-${process.pid}.db`);
  const workloadFile = `${file}.workload.json`;
  try {
    for (const size of options.sizes) {
      const child = startBenchChild(GROWTH_CHILD, String(size), file.replace(/\.db$/, `-${size}.db`), size === shared ? "keep" : "drop");
      try {
        for (;;) {
          const event = await child.next();
          if (event["done"]) break;
          if (event["row"]) record(event["row"] as BenchRow);
          if (typeof event["skipped"] === "string") recordSkipped(event["skipped"]);
        }
        await child.exited;
      } catch (error) {
        recordSkipped(`scaling at ${formatSize(size)} skills failed: ${(error as Error).message.slice(0, 500)}`);
      } finally {
        child.kill();
      }
    }
    const sharedFile = file.replace(/\.db$/, `-${shared}.db`);
    const { queries } = generateSkills(shared);
    const workload: Workload = { size: shared, queries, fresh: generateSkills(1_000, 99).skills };
    writeWorkload(workloadFile, workload);
    console.log(`scaling    concurrency rows on ${formatSize(shared)} skills`);
    await benchAsyncAgents(sharedFile, workload, workloadFile);
    await benchAgentProcesses(sharedFile, workload, workloadFile);
  } catch (error) {
    recordSkipped(`scaling suite stopped early: ${(error as Error).message.slice(0, 500)}`);
  } finally {
    for (const size of options.sizes) for (const suffix of ["", "-wal", "-shm"]) rmSync(file.replace(/\.db$/, `-${size}.db`) + suffix, { force: true });
    rmSync(workloadFile, { force: true });
  }
}
