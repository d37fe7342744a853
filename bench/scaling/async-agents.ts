import { record, recordSkipped } from "../report.js";
import { loopFigures } from "../timed-loop.js";
import { percentiles } from "../timing.js";
import { startBenchChild } from "./bench-child.js";
import { OPERATIONS, type Workload } from "./scaling-ops.js";

/** Concurrent async agents in one process. */
export const AGENT_COUNTS = [1, 4, 16, 64];

const AGENT_CHILD = new URL("./agent-child.ts", import.meta.url);

/**
 * Latency and throughput of each operation with 1, 4, 16, 64 async agents sharing one library
 * in one process, on the SQLite file `file` holding `workload.size` skills (saved at
 * `workloadFile`). The process is a fresh child, like the growth and process rows, so every
 * row of the scaling suite runs the same code even when src/ changes during a run.
 */
export async function benchAsyncAgents(file: string, workload: Workload, workloadFile: string, durationMs = 800): Promise<void> {
  const child = startBenchChild(AGENT_CHILD, workloadFile, file, String(durationMs), "agents");
  try {
    const ready = await child.next((e) => e["ready"] === true);
    const firstSight = percentiles(ready["firstSight"] as number[]);
    record({
      suite: "agents",
      name: "searchSkills, each query's first time (cold word plans), 1 agent",
      unit: "ms",
      ours: firstSight.p50,
      size: workload.size,
      extra: { p99: firstSight.p99, samples: (ready["firstSight"] as number[]).length },
    });
    for (const op of OPERATIONS) {
      for (const agents of AGENT_COUNTS) {
        child.send(`${op} ${agents}`);
        const result = await child.next((e) => e["op"] === op && e["agents"] === agents);
        if (typeof result["error"] === "string") {
          recordSkipped(`${op} with ${agents} async agents failed: ${result["error"].slice(0, 300)}`);
          continue;
        }
        const f = loopFigures({ times: result["times"] as number[], elapsedMs: result["elapsedMs"] as number });
        record({
          suite: "agents",
          name: `${op}, ${agents} async agents`,
          unit: "ms",
          ours: f.p50,
          size: workload.size,
          extra: { p99: f.p99, opsPerSec: f.opsPerSec, samples: f.samples },
          curve: { chart: "agents", series: op, x: agents },
        });
      }
    }
    child.send("exit");
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  } finally {
    child.kill();
  }
}
