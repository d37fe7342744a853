import { describe, expect, it } from "vitest";
import { indexedText } from "../../src/search/analyzer.js";
import { contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite/sqlite-schema.js";
import { skill } from "../support/skills.js";

function request(id: string) {
  const content = normalizeSkill(skill(id));
  return { skill: content, hash: contentHash(content), index: indexedText(content) };
}

describe("SqliteStore", () => {
  it("records the schema version, uses WAL and a busy timeout", async () => {
    const { tempDir } = await import("../support/stores.js");
    const store = new SqliteStore(`${tempDir()}/schema.db`);
    expect(store.pragma("user_version")).toBe(SCHEMA_VERSION);
    expect(store.pragma("journal_mode")).toBe("wal");
    expect(store.pragma("busy_timeout")).toBe(10_000);
    await store.close();
  });

  it(".recordExecution() - counts atomically and keeps the p95 within 3 %", async () => {
    const store = new SqliteStore(":memory:");
    await store.save(request("a"));
    const runs = Array.from({ length: 100 }, (_, i) => i + 1);
    await Promise.all(
      runs.map((ms) =>
        store.recordExecution({ skillId: "a", version: 1, startedAt: new Date().toISOString(), durationMs: ms, outcome: ms % 10 === 0 ? "timeout" : "success" }),
      ),
    );
    const stats = (await store.get("a"))?.stats;
    expect(stats).toMatchObject({ executions: 100, successes: 90, failures: 10, timeouts: 10, successRate: 0.9, avgDurationMs: 50.5 });
    expect(Math.abs((stats?.p95DurationMs ?? 0) - 95) / 95).toBeLessThan(0.03);
    expect((await store.get("a"))?.version).toBe(1);
    await store.close();
  });

  it(".recordExecution() - keeps the execution log within its retention bound", async () => {
    const store = new SqliteStore(":memory:", { executionLogRetention: 50 });
    await store.save(request("a"));
    for (let i = 0; i < 230; i++) {
      await store.recordExecution({ skillId: "a", version: 1, agentId: "agent-1", startedAt: new Date().toISOString(), durationMs: 1, outcome: "success" });
    }
    const rows = (store as unknown as { db: { prepare(sql: string): { get(): unknown } } }).db.prepare("SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM executions").get() as { n: number; lo: number; hi: number };
    expect(rows.hi).toBe(230);
    expect(rows.n).toBeLessThanOrEqual(100);
    expect(rows.n).toBeGreaterThanOrEqual(50);
    expect((await store.get("a"))?.stats.executions).toBe(230);
    await store.close();
  });

  it(".watch() - reports exactly which skills another connection changed", async () => {
    const { tempDir } = await import("../support/stores.js");
    const file = `${tempDir()}/feed.db`;
    const mine = new SqliteStore(file);
    const other = new SqliteStore(file);
    const seen: unknown[] = [];
    let notify!: () => void;
    const arrived = new Promise<void>((resolve) => (notify = resolve));
    const stop = mine.watch((changes) => {
      seen.push(...changes);
      if (seen.length >= 2) notify();
    });
    await other.save(request("b"));
    await other.recordExecution({ skillId: "b", version: 1, startedAt: new Date().toISOString(), durationMs: 1, outcome: "success" });
    await arrived;
    expect(seen).toEqual([{ skillId: "b", kind: "content" }, { skillId: "b", kind: "stats" }]);
    stop();
    await Promise.all([mine.close(), other.close()]);
  });
});
