import { percentiles } from "./timing.js";

/** What a timed loop saw: every call's latency (ms), and the loop's wall time. */
export interface LoopSample {
  times: number[];
  elapsedMs: number;
}

/** Latency and throughput of a loop. */
export interface LoopFigures {
  p50: number;
  p99: number;
  /** Calls completed per second of wall time, all agents together. */
  opsPerSec: number;
  samples: number;
}

/** How long a loop runs. */
export interface LoopLimits {
  /** Stop starting calls after this long. @default 1000 */
  durationMs?: number;
  /** …but make at least this many calls per agent. @default 5 */
  minSamples?: number;
  /** …and at most this many per agent. @default Infinity */
  maxSamples?: number;
}

/**
 * Runs `agents` concurrent async loops of `call(i)` (one await per call, `i` counting across
 * all agents) until the limits are reached, timing every call.
 *
 * @example
 * ```ts
 * const sample = await timedLoop((i) => library.getSkill(ids[i % ids.length]), 4, { durationMs: 500 });
 * ```
 */
export async function timedLoop(call: (i: number) => Promise<unknown>, agents = 1, limits: LoopLimits = {}): Promise<LoopSample> {
  const { durationMs = 1000, minSamples = 5, maxSamples = Number.POSITIVE_INFINITY } = limits;
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const until = started + durationMs;
  const agent = async () => {
    for (let done = 0; done < maxSamples && (done < minSamples || performance.now() < until); done++) {
      const t = performance.now();
      await call(next++);
      times.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: agents }, agent));
  return { times, elapsedMs: performance.now() - started };
}

/** Merges samples (e.g. alternating rounds of the same loop) into figures. */
export function loopFigures(...samples: LoopSample[]): LoopFigures {
  const times = samples.flatMap((s) => s.times);
  const elapsed = samples.reduce((sum, s) => sum + s.elapsedMs, 0);
  const { p50, p99 } = percentiles(times);
  return { p50, p99, opsPerSec: times.length / (elapsed / 1000), samples: times.length };
}

/**
 * Times two loops in alternating rounds (A, B, A, B), so that a burst of load from the
 * machine's other work hits both sides alike.
 */
export async function alternate(
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  limits: LoopLimits & { rounds?: number } = {},
): Promise<{ a: LoopFigures; b: LoopFigures }> {
  const { rounds = 2, durationMs = 1000, ...rest } = limits;
  const as: LoopSample[] = [];
  const bs: LoopSample[] = [];
  for (let round = 0; round < rounds; round++) {
    as.push(await timedLoop(a, 1, { ...rest, durationMs: durationMs / rounds }));
    bs.push(await timedLoop(b, 1, { ...rest, durationMs: durationMs / rounds }));
  }
  return { a: loopFigures(...as), b: loopFigures(...bs) };
}
