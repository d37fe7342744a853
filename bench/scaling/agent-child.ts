/**
 * One agent process of the scaling suite: `node --import tsx agent-child.ts WORKLOAD DB MS TAG`.
 * Opens a library on the SQLite file DB (shared with the other agent processes), warms every
 * operation up (a search of each workload query), prints `{ ready: true, firstSight }` (the
 * warm-up searches' latencies, ms), then for each line `OP [AGENTS]` on stdin calls OP
 * from AGENTS concurrent async loops (default 1) for MS milliseconds and prints
 * `{ op, agents, times, elapsedMs }` (every call's latency, ms). Exits on "exit" or at the end
 * of its input.
 */
import { createInterface } from "node:readline";
import { openSkillLibrary } from "../../dist/index.js";
import { timedLoop } from "../timed-loop.js";
import { say } from "./bench-child.js";
import { OPERATIONS, operationCall, readWorkload, type Operation } from "./scaling-ops.js";

const [workloadFile, db, ms, tag] = process.argv.slice(2);
if (!workloadFile || !db || !tag) throw new Error("usage: agent-child.ts WORKLOAD DB MS TAG");
const library = await openSkillLibrary({ store: db });
const workload = readWorkload(workloadFile);
const calls = new Map(OPERATIONS.map((op) => [op, operationCall(library, op, workload, tag)]));
for (const call of calls.values()) for (let i = 0; i < 10; i++) await call(1_000_000 + i).catch(() => undefined);
// A process that has served a while has planned its queries' words before (a word's first
// plan reads WordNet): the search rows measure that state; the first sight of each query is
// timed here, reported apart.
const search = calls.get("searchSkills") as (i: number) => Promise<unknown>;
const firstSight: number[] = [];
for (let i = 0; i < workload.queries.length; i++) {
  const started = performance.now();
  await search(i);
  firstSight.push(performance.now() - started);
}
say({ ready: true, firstSight });
for await (const line of createInterface({ input: process.stdin })) {
  const [op = "", agentsText = "1"] = line.trim().split(/\s+/);
  const agents = Number(agentsText);
  if (op === "exit") break;
  const call = calls.get(op as Operation);
  if (!call) {
    say({ op, agents, error: `unknown operation ${op}` });
    continue;
  }
  try {
    const { times, elapsedMs } = await timedLoop(call, agents, { durationMs: Number(ms), minSamples: 1 });
    say({ op, agents, times: times.map((t) => Math.round(t * 1000) / 1000), elapsedMs });
  } catch (error) {
    say({ op, agents, error: (error as Error).message });
  }
}
await library.close();
process.exit(0);
