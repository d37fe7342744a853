/**
 * The shared pool's scheduling, driven by fake in-process members (no engine): which member a run
 * goes to, when a member counts as ready again, and when a killed member is replaced.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemberPool } from "../../../src/exec/sandbox/member-pool.js";
import type { MemberEvents } from "../../../src/exec/sandbox/member.js";
import type { HostMessage, RunMessage } from "../../../src/exec/sandbox/protocol.js";
import { makeRun, resultOf } from "./sandbox-helpers.js";

/**
 * A member that answers each run with its own index (a run whose code is "hold" is never answered);
 * it reports "ready" only when the test says, or in "done" with `readyInDone`.
 */
interface FakeMember {
  index: number;
  events: MemberEvents;
  runs: RunMessage[];
}

function fakePool(size: number, { onSpawn = () => undefined, readyInDone = false }: { onSpawn?: () => void; readyInDone?: boolean } = {}): { pool: MemberPool; members: FakeMember[] } {
  const members: FakeMember[] = [];
  const pool = new MemberPool({
    engine: "quickjs",
    size,
    memberNoun: "worker",
    spawn: (events) => {
      onSpawn();
      const member: FakeMember = { index: members.length, events, runs: [] };
      members.push(member);
      queueMicrotask(() => events.message({ type: "ready" }));
      return {
        send(message: HostMessage) {
          if (message.type !== "run") return;
          member.runs.push(message);
          if (message.code === "hold") return;
          queueMicrotask(() => events.message({ type: "done", runId: message.runId, outcome: { ok: true, resultJson: String(member.index), logs: [] }, ready: readyInDone }));
        },
        kill() {
          queueMicrotask(() => events.exit("killed"));
        },
      };
    },
  });
  return { pool, members };
}

const ready = (member: FakeMember | undefined): void => member?.events.message({ type: "ready" });

let open: MemberPool | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("MemberPool scheduling", () => {
  it(".run() - runs go to the first ready member in start order (few members stay warm)", async () => {
    const { pool, members } = fakePool(3);
    open = pool;
    await pool.start();
    const served: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      served.push(resultOf(await pool.run(makeRun("async () => 0"))));
      ready(members[0]);
    }
    expect(served).toEqual([0, 0, 0]);
  });

  it('.run() - a member that has not sent "ready" since its last run is passed over', async () => {
    const { pool, members } = fakePool(3);
    open = pool;
    await pool.start();
    expect(resultOf(await pool.run(makeRun("async () => 0")))).toBe(0);
    // Member 0 still prepares its next context: the next runs go to members 1, then 2.
    expect(resultOf(await pool.run(makeRun("async () => 0")))).toBe(1);
    expect(resultOf(await pool.run(makeRun("async () => 0")))).toBe(2);
    expect(pool.stats()).toMatchObject({ idle: 0, busy: 0 });
    const queued = pool.run(makeRun("async () => 0"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.stats().queued).toBe(1);
    ready(members[1]);
    expect(resultOf(await queued)).toBe(1);
    expect(members.map((member) => member.runs.length)).toEqual([1, 2, 1]);
  });

  it('.run() - a member whose "done" says ready takes the next run at once', async () => {
    const { pool, members } = fakePool(3, { readyInDone: true });
    open = pool;
    await pool.start();
    for (let i = 0; i < 3; i++) expect(resultOf(await pool.run(makeRun("async () => 0")))).toBe(0);
    expect(members.map((member) => member.runs.length)).toEqual([3, 0, 0]);
    await pool.whenReady();
  });

  it(".run() - a killed member is replaced only once no pending run's deadline is near (a spawn blocks the host)", async () => {
    let nearSettled = false;
    const spawnedAfterNear: boolean[] = [];
    const { pool } = fakePool(2, { onSpawn: () => spawnedAfterNear.push(nearSettled) });
    open = pool;
    await pool.start();
    const near = pool.run(makeRun("hold", { timeoutMs: 40 })).then((outcome) => {
      nearSettled = true;
      return outcome;
    });
    const controller = new AbortController();
    const far = pool.run(makeRun("hold", { timeoutMs: 10_000, signal: controller.signal }));
    controller.abort();
    expect(await far).toMatchObject({ kind: "aborted" });
    expect(await near).toMatchObject({ kind: "timeout" });
    await pool.whenReady();
    // Two at the start, then the two replacements: none of them while the near deadline was pending.
    expect(spawnedAfterNear).toEqual([false, false, true, true]);
  });
});
