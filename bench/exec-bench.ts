import { loadavg } from "node:os";
import { openSkillLibrary } from "../dist/index.js";
import { record } from "./report.js";
import { percentiles } from "./timing.js";

const ENGINES = ["isolated-vm", "quickjs"] as const;

/**
 * Running code, for each engine: warm overhead, throughput by concurrency, CPU-heavy code, kill
 * lateness. Latency rows carry the 1-minute load average at their end (`extra.loadAverage`): on a
 * shared machine they move with it.
 */
export async function benchExecution(): Promise<void> {
  for (const engine of ENGINES) {
    const library = await openSkillLibrary({ store: ":memory:", sandbox: { engine, poolSize: 8 } });
    try {
      await library.batchAddSkills([
        { id: "trivial", name: "Trivial", description: "returns its input", code: "async (context) => context.n" },
        { id: "fib", name: "Fibonacci", description: "CPU heavy", code: "async ({ n }) => { const f = (k) => k < 2 ? k : f(k - 1) + f(k - 2); return f(n); }" },
        { id: "spin", name: "Spin", description: "never ends", code: "async () => { while (true) {} }" },
      ]);
      for (let i = 0; i < 200; i++) await library.executeSkill("trivial", { n: i });

      const times: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const t = performance.now();
        await library.executeSkill("trivial", { n: i });
        times.push(performance.now() - t);
      }
      const warm = percentiles(times);
      const warmLoad = { loadAverage: loadavg()[0] ?? 0 };
      record({ suite: engine, name: "warm executeSkill (trivial) p50", unit: "ms", ours: warm.p50, target: engine === "isolated-vm" ? "≤ 0.5 ms" : undefined, met: engine === "isolated-vm" ? warm.p50 <= 0.5 : undefined, extra: warmLoad });
      record({ suite: engine, name: "warm executeSkill (trivial) p99", unit: "ms", ours: warm.p99, target: engine === "isolated-vm" ? "≤ 2 ms" : undefined, met: engine === "isolated-vm" ? warm.p99 <= 2 : undefined, extra: warmLoad });

      for (const maxConcurrent of [1, 2, 8]) {
        const executions = Array.from({ length: 2000 }, (_, i): [string, Record<string, unknown>] => ["trivial", { n: i }]);
        const t = performance.now();
        await library.batchExecuteSkills(executions, { maxConcurrent });
        record({ suite: engine, name: `executions/s at maxConcurrent ${maxConcurrent}`, unit: "runs/s", ours: executions.length / ((performance.now() - t) / 1000) });
      }

      const cpu: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await library.executeSkill("fib", { n: 25 }, { timeout: 120_000 });
        cpu.push(performance.now() - t);
      }
      record({ suite: engine, name: "CPU-heavy skill: fib(25)", unit: "ms", ours: percentiles(cpu).p50 });

      const late: number[] = [];
      for (let i = 0; i < 20; i++) {
        const timeout = 100;
        const t = performance.now();
        await library.executeSkill("spin", {}, { timeout }).catch(() => undefined);
        late.push(performance.now() - t - timeout);
      }
      const lateness = percentiles(late);
      const lateLoad = { loadAverage: loadavg()[0] ?? 0 };
      record({ suite: engine, name: "endless loop stopped after deadline (p50)", unit: "ms", ours: lateness.p50, target: "≤ 20 ms", met: lateness.p50 <= 20, extra: lateLoad });
      record({ suite: engine, name: "endless loop stopped after deadline (max)", unit: "ms", ours: Math.max(...late), target: "≤ 20 ms", met: Math.max(...late) <= 20, extra: lateLoad });
    } finally {
      await library.close();
    }
  }
}
