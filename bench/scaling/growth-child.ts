/**
 * One library size of the scaling suite, in a process of its own (so its memory figures are
 * its own): `node --import tsx --expose-gc growth-child.ts SIZE FILE keep|drop`.
 * Loads SIZE generated skills into the SQLite file FILE, times each operation with one agent,
 * and measures the heap / RSS the loaded library holds. Prints `{ row }` events (BenchRow) and
 * `{ done: true }`; leaves FILE in place when asked to `keep` it.
 */
import { rmSync } from "node:fs";
import { openSkillLibrary } from "../../dist/index.js";
import { formatSize } from "../bench-options.js";
import { generateSkills } from "../generate-skills.js";
import type { BenchRow } from "../report.js";
import { timedLoop, loopFigures } from "../timed-loop.js";
import { collectGarbage, say } from "./bench-child.js";
import { operationCall, type Operation, type Workload } from "./scaling-ops.js";

const [sizeArg, file, keep] = process.argv.slice(2);
const size = Number(sizeArg);
if (!Number.isInteger(size) || size <= 0 || !file) throw new Error("usage: growth-child.ts SIZE FILE keep|drop");
const label = formatSize(size);
const row = (r: BenchRow) => say({ row: r });
const MB = 2 ** 20;
/** The search targets (p50, realistic text) by library size. */
const SEARCH_TARGETS_MS: Record<number, number> = { 10_000: 0.5, 100_000: 10 };

const { skills, queries } = generateSkills(size);
const workload: Workload = { size, queries, fresh: generateSkills(1_000, 99).skills };

// Fixed costs (modules, WordNet, prepared statements, …) go into the baseline: a small library used once.
const probe = await openSkillLibrary({ store: ":memory:" });
await probe.addSkill({ id: "probe", name: "Probe", description: "warms the modules the search needs" });
await probe.searchSkills("warm the search modules", { useCache: false });
await probe.close();
collectGarbage();
const before = process.memoryUsage();

const library = await openSkillLibrary({ store: file });
const started = performance.now();
const outcome = await library.batchAddSkills(skills);
const loadRate = size / ((performance.now() - started) / 1000);
if (Object.values(outcome).some((ok) => !ok)) throw new Error("the store refused some generated skills");
collectGarbage();
const loaded = process.memoryUsage();
row({ suite: "scaling", name: `batchAddSkills (load) @ ${label}`, unit: "skills/s", ours: loadRate, size, target: "≥ 40k skills/s", met: loadRate >= 40_000, curve: { chart: "growth-throughput", series: "batchAddSkills (skills/s)", x: size } });

const timeOp = async (op: Operation, durationMs: number) => {
  const call = operationCall(library, op, workload, `g${size}`);
  let f;
  try {
    // Warm up; a search warms on every query once, so that the rows measure a process that has
    // planned its queries' words (the agents suite reports each query's first time apart).
    const warmUps = op === "searchSkills" ? workload.queries.length : 20;
    for (let i = 0; i < warmUps; i++) await call(1_000_000 + i);
    f = loopFigures(await timedLoop(call, 1, { durationMs, minSamples: 5 }));
  } catch (error) {
    say({ skipped: `${op} @ ${label} failed: ${(error as Error).message.slice(0, 300)}` });
    return;
  }
  const target = op === "searchSkills" ? SEARCH_TARGETS_MS[size] : undefined;
  const goal = target === undefined ? {} : { target: `p50 ≤ ${target} ms`, met: f.p50 <= target };
  row({ suite: "scaling", name: `${op} @ ${label}`, unit: "ms", ours: f.p50, size, ...goal, extra: { p99: f.p99, opsPerSec: f.opsPerSec, samples: f.samples }, curve: { chart: "growth", series: op, x: size } });
};
await timeOp("getSkill", 1_000);
await timeOp("searchSkills", 2_000);
collectGarbage();
const searched = process.memoryUsage();
await timeOp("addSkill", 1_000);
await timeOp("executeSkill", 1_000);
await library.close();

const per10k = (bytes: number) => (bytes / MB) * (10_000 / size);
for (const [stage, m] of [["loaded", loaded], ["after search", searched]] as const) {
  row({
    suite: "scaling",
    name: `memory per 10k skills, heap (${stage}) @ ${label}`,
    unit: "MB",
    ours: per10k(m.heapUsed - before.heapUsed),
    size,
    extra: { heapDeltaMb: (m.heapUsed - before.heapUsed) / MB, rssDeltaMb: (m.rss - before.rss) / MB, externalDeltaMb: (m.external - before.external) / MB },
    curve: { chart: "memory", series: `heap (${stage})`, x: size },
  });
  row({
    suite: "scaling",
    name: `memory per 10k skills, RSS (${stage}) @ ${label}`,
    unit: "MB",
    ours: per10k(m.rss - before.rss),
    size,
    extra: { rssDeltaMb: (m.rss - before.rss) / MB },
    curve: { chart: "memory", series: `RSS (${stage})`, x: size },
  });
}
if (keep !== "keep") for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
say({ done: true });
