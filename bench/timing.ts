import { LRUCache } from "lru-cache";
import type { SkillLibrary } from "../dist/index.js";
import { Bench } from "tinybench";
import { record } from "./report.js";

/** Ops in one tinybench iteration: amortises the timer's own cost over many calls. */
const OPS_PER_ITERATION = 100;

/**
 * Throughput (ops/s) of ours and of a baseline, measured by tinybench in the same run, each
 * iteration doing a run of calls. Ours is a Promise API, so the ratio is taken against the
 * baseline called the way an async caller would (one await per call); the synchronous
 * baseline is reported too, as the floor no Promise API can reach.
 */
export async function compareThroughput(
  ours: (i: number) => unknown,
  baseline: (i: number) => unknown,
  timeMs = 1500,
): Promise<{ ours: number; baseline: number; baselineSync: number }> {
  let i = 0;
  const bench = new Bench({ time: timeMs, warmupTime: 300 });
  bench
    .add("ours", async () => {
      for (let k = 0; k < OPS_PER_ITERATION; k++) await ours(i++);
    })
    .add("baseline", async () => {
      // What an async caller of the raw part pays: the call and one await.
      for (let k = 0; k < OPS_PER_ITERATION; k++) await baseline(i++);
    })
    .add("baselineSync", () => {
      for (let k = 0; k < OPS_PER_ITERATION; k++) baseline(i++);
    });
  await bench.run();
  const rate = (name: string) => {
    const result = bench.getTask(name)?.result;
    if (!result || !("latency" in result)) throw new Error(`bench task ${name} did not complete`);
    return (OPS_PER_ITERATION * 1000) / result.latency.mean;
  };
  return { ours: rate("ours"), baseline: rate("baseline"), baselineSync: rate("baselineSync") };
}

/** p50 / p99 of a list of times. */
export function percentiles(times: number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * Cached `getSkill` against an awaited raw `lru-cache` get of the same skills, in the same
 * run; records the row for `suite`.
 */
export async function benchCachedGet(suite: string, library: SkillLibrary, ids: readonly string[]): Promise<void> {
  const lru = new LRUCache<string, object>({ max: 20_000, ttl: 3_600_000 });
  for (const id of ids) {
    const skill = await library.getSkill(id);
    if (skill) lru.set(id, skill);
  }
  const { ours, baseline, baselineSync } = await compareThroughput(
    (i) => library.getSkill(ids[i % ids.length] as string),
    (i) => lru.get(ids[i % ids.length] as string),
  );
  const ratio = ours / baseline;
  record({ suite, name: "getSkill cached", unit: "ops/s", ours, baseline, baselineName: "await lru-cache get", ratio, target: "≥ 0.6 of raw", met: ratio >= 0.6, extra: { syncBaseline: baselineSync, ratioToSync: ours / baselineSync } });
}
