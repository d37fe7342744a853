import { record, recordSkipped } from "../report.js";
import { loopFigures } from "../timed-loop.js";
import { startBenchChild } from "./bench-child.js";
import { OPERATIONS, type Workload } from "./scaling-ops.js";

/** Agent processes on one SQLite file. */
export const PROCESS_COUNTS = [1, 2, 4, 8];

const AGENT_CHILD = new URL("./agent-child.ts", import.meta.url);

/**
 * Latency and aggregate throughput of each operation with 1, 2, 4, 8 processes, each with its
 * own library on the same SQLite file (`file`, holding `workload.size` skills, the workload
 * saved at `workloadFile`). The processes of one count start and warm up once, then run each
 * operation together, all starting on one signal.
 */
export async function benchAgentProcesses(file: string, workload: Workload, workloadFile: string, durationMs = 1_000): Promise<void> {
  for (const count of PROCESS_COUNTS) {
    const children = Array.from({ length: count }, (_, k) => startBenchChild(AGENT_CHILD, workloadFile, file, String(durationMs), `p${count}_${k}`));
    try {
      await Promise.all(children.map((c) => c.next((e) => e["ready"] === true)));
      for (const op of OPERATIONS) {
        for (const child of children) child.send(op);
        const results = await Promise.all(children.map((c) => c.next((e) => e["op"] === op)));
        const failed = results.find((r) => typeof r["error"] === "string");
        if (failed) {
          recordSkipped(`${op} with ${count} processes failed: ${String(failed["error"]).slice(0, 300)}`);
          continue;
        }
        const wall = Math.max(...results.map((r) => r["elapsedMs"] as number));
        const f = loopFigures({ times: results.flatMap((r) => r["times"] as number[]), elapsedMs: wall });
        record({
          suite: "processes",
          name: `${op}, ${count} processes`,
          unit: "ms",
          ours: f.p50,
          size: workload.size,
          extra: { p99: f.p99, opsPerSec: f.opsPerSec, samples: f.samples },
          curve: { chart: "processes", series: op, x: count },
        });
      }
      for (const child of children) child.send("exit");
      await Promise.race([Promise.all(children.map((c) => c.exited)), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    } catch (error) {
      recordSkipped(`${count} agent processes failed: ${(error as Error).message.slice(0, 300)}`);
    } finally {
      for (const child of children) child.kill();
    }
  }
}
