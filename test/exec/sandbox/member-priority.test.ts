/**
 * Members run at a lower CPU priority than the host, so a spinning skill or a booting member does
 * not delay the host's deadline timers. Read from /proc: Linux only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemberPool } from "../../../src/exec/sandbox/member-pool.js";
import { hostPriority, MEMBER_NICE_OFFSET } from "../../../src/exec/sandbox/member-priority.js";
import { ENGINES, startPool } from "./sandbox-helpers.js";

/** Fields of a /proc stat line after the command name: [0] state, [1] ppid, … [16] nice. */
function statFields(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** Nice values of this process's isolated-vm children, or of its own threads (QuickJS workers). */
function niceValues(engine: string): number[] {
  if (engine === "quickjs") return readdirSync("/proc/self/task").map((tid) => Number(statFields(`/proc/self/task/${tid}/stat`)[16]));
  const values: number[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = statFields(`/proc/${pid}/stat`);
      if (Number(fields[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("ivm-child")) values.push(Number(fields[16]));
    } catch {
      // The process ended while we looked.
    }
  }
  return values;
}

for (const engine of ENGINES) {
  describe.runIf(process.platform === "linux")(`${engine}: member priority`, () => {
    let pool: MemberPool;
    beforeAll(async () => {
      pool = await startPool(engine, { poolSize: 2 });
    });
    afterAll(async () => {
      await pool.close();
    });

    it("start - every member runs nicer than the host by MEMBER_NICE_OFFSET", () => {
      const expected = Math.min(19, hostPriority() + MEMBER_NICE_OFFSET);
      expect(niceValues(engine).filter((nice) => nice === expected).length).toBeGreaterThanOrEqual(2);
    });
  });
}
