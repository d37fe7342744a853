import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError, type SkillInput } from "../../src/index.js";
import { indexedText } from "../../src/search/analyzer.js";
import { contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite/sqlite-schema.js";
import { skill } from "../support/skills.js";

function request(id: string, overrides: Partial<SkillInput> = {}) {
  const content = normalizeSkill(skill(id, overrides));
  return { skill: content, hash: contentHash(content), index: indexedText(content) };
}

/** The store's own connection (tests only). */
function connection(store: SqliteStore): Database.Database {
  return (store as unknown as { db: Database.Database }).db;
}

/** Two stores on one new file; `arrived` settles once `mine`'s watch has seen `count` changes. */
async function watchedByAnother(name: string, count: number) {
  const { tempDir } = await import("../support/stores.js");
  const file = `${tempDir()}/${name}.db`;
  const mine = new SqliteStore(file);
  const other = new SqliteStore(file);
  const seen: unknown[] = [];
  let notify!: () => void;
  const arrived = new Promise<void>((resolve) => (notify = resolve));
  const stop = mine.watch((changes) => {
    seen.push(...changes);
    if (seen.length >= count) notify();
  });
  return { mine, other, seen, arrived, stop };
}

describe("SqliteStore", () => {
  it("SQLite's own failures are StoreUnavailableError saying what to do, on every path; nothing is written", async () => {
    const { tempDir } = await import("../support/stores.js");
    const store = new SqliteStore(`${tempDir()}/read-only.db`);
    try {
      await store.save(request("kept"));
      store.pragma("query_only = 1");
      const readOnly = { code: "STORE_UNAVAILABLE", message: expect.stringMatching(/SQLITE_READONLY.*open a writable copy/) };
      await expect(store.save(request("refused"))).rejects.toMatchObject(readOnly);
      await expect(store.saveBatch([request("refused_a"), request("refused_b")])).rejects.toMatchObject(readOnly);
      expect(() => store.sync.save(request("refused"))).toThrow(StoreUnavailableError);
      await expect(store.delete("kept")).rejects.toMatchObject(readOnly);
      // The full-text row of "kept" waits to be written: reading the index still works, without it.
      expect((await store.vocabulary()).documents).toBe(0);
      store.pragma("query_only = 0");
      expect((await store.vocabulary()).documents).toBe(1);
      expect((await store.list({ limit: Infinity, offset: 0 })).map((s) => s.id)).toEqual(["kept"]);
    } finally {
      await store.close();
    }
  });

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
    const { mine, other, seen, arrived, stop } = await watchedByAnother("feed", 2);
    await other.save(request("b"));
    await other.recordExecution({ skillId: "b", version: 1, startedAt: new Date().toISOString(), durationMs: 1, outcome: "success" });
    await arrived;
    expect(seen).toEqual([{ skillId: "b", kind: "content" }, { skillId: "b", kind: "stats" }]);
    stop();
    await Promise.all([mine.close(), other.close()]);
  });

  it(".history() - every version has its full content (the current one included) after updates, a delete and a re-add", async () => {
    const store = new SqliteStore(":memory:");
    await store.save(request("a", { description: "first" }));
    await store.save(request("a", { description: "second" }));
    await store.delete("a");
    await store.save(request("a", { description: "third" }));
    await store.save(request("a", { description: "fourth" }));
    const history = await store.history("a");
    expect(history.map((v) => [v.version, v.skill.description])).toEqual([[1, "first"], [2, "second"], [3, "third"], [4, "fourth"]]);
    expect((await store.versionRecord("a", 4))?.skill).toEqual(normalizeSkill(skill("a", { description: "fourth" })));
    expect((await store.versionRecord("a", 2))?.skill.description).toBe("second");
    // The current version's content is saved once, in the skill row; superseded ones keep theirs.
    const rows = connection(store).prepare("SELECT version, content = '' AS empty FROM skill_versions WHERE skill_id = 'a' ORDER BY version").raw().all();
    expect(rows).toEqual([[1, 0], [2, 0], [3, 0], [4, 1]]);
    await store.close();
  });

  it("opens a file of schema 2 (every version row holding its content) and keeps its history whole", async () => {
    const { tempDir } = await import("../support/stores.js");
    const file = `${tempDir()}/schema-2.db`;
    const first = new SqliteStore(file);
    await first.save(request("a", { description: "first" }));
    await first.save(request("a", { description: "second" }));
    await first.save(request("b", { description: "only" }));
    // What schema 2 wrote: the current versions' rows hold their content too, and full-text rows at once.
    await first.vocabulary();
    const db = connection(first);
    db.exec("DROP TABLE fulltext_backlog");
    db.exec("UPDATE skill_versions SET content = (SELECT content FROM skills WHERE skills.id = skill_versions.skill_id) WHERE content = ''");
    db.exec("DROP TRIGGER skills_keep_superseded_content; DROP TRIGGER skills_keep_deleted_content");
    db.pragma("user_version = 2");
    const lastChange = db.prepare("SELECT max(seq) FROM changes").pluck().get() as number;
    await first.close();
    const store = new SqliteStore(file);
    expect(store.pragma("user_version")).toBe(SCHEMA_VERSION);
    await store.save(request("a", { description: "third" }));
    await store.delete("b");
    // The logs were rebuilt without AUTOINCREMENT and their numbers go on from where they were.
    const after = connection(store);
    expect(after.prepare("SELECT sql FROM sqlite_master WHERE name IN ('changes', 'executions')").pluck().all().join(" ")).not.toMatch(/AUTOINCREMENT/i);
    expect(after.prepare("SELECT seq FROM changes WHERE seq > ? ORDER BY seq").pluck().all(lastChange)).toEqual([lastChange + 1, lastChange + 2]);
    expect((await store.history("a")).map((v) => v.skill.description)).toEqual(["first", "second", "third"]);
    expect((await store.history("b")).map((v) => v.skill.description)).toEqual(["only"]);
    await store.close();
  });

  it("keeps a superseded version's content when an older writer (schema 2 code, which never copies it) moves or deletes the skill", async () => {
    const store = new SqliteStore(":memory:");
    await store.save(request("a", { description: "first" }));
    await store.save(request("b", { description: "only" }));
    const db = connection(store);
    // What schema 2 code does on an update: rewrite the skill row, add a version row with its content.
    const second = JSON.stringify({ ...JSON.parse(db.prepare("SELECT content FROM skills WHERE id = 'a'").pluck().get() as string), description: "second" });
    db.prepare("UPDATE skills SET version = 2, content = ? WHERE id = 'a'").run(second);
    db.prepare("INSERT INTO skill_versions (skill_id, version, saved_at, hash, content) VALUES ('a', 2, '2026-01-01T00:00:00.000Z', 'h', ?)").run(second);
    // …and on a delete: remove the skill row.
    db.prepare("DELETE FROM skills WHERE id = 'b'").run();
    expect((await store.history("a")).map((v) => v.skill.description)).toEqual(["first", "second"]);
    expect((await store.history("b")).map((v) => v.skill.description)).toEqual(["only"]);
    await store.close();
  });

  it(".watch() - reports another connection's batch skill by skill, in order", async () => {
    const { mine, other, seen, arrived, stop } = await watchedByAnother("feed-batch", 3);
    await other.saveBatch([request("c"), request("a"), request("b"), request("a")]);
    await arrived;
    // The second "a" is unchanged: no new version, no change.
    expect(seen).toEqual(["c", "a", "b"].map((skillId) => ({ skillId, kind: "content" })));
    stop();
    await Promise.all([mine.close(), other.close()]);
  });

  it(".get() - reads the counters of a skill that ran exactly, and a never-run skill's as zeros", async () => {
    const store = new SqliteStore(":memory:");
    await store.saveBatch([request("ran"), request("idle")]);
    for (const durationMs of [0.1, 0.2, 1e-7]) {
      await store.recordExecution({ skillId: "ran", version: 1, startedAt: new Date().toISOString(), durationMs, outcome: "success" });
    }
    const ran = await store.get("ran");
    expect(ran?.stats).toMatchObject({ executions: 3, successes: 3, failures: 0, timeouts: 0, successRate: 1, avgDurationMs: (0.1 + 0.2 + 1e-7) / 3 });
    expect(ran?.stats.lastExecutedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await store.get("idle"))?.stats).toEqual({ executions: 0, successes: 0, failures: 0, timeouts: 0, successRate: 0, avgDurationMs: 0, p95DurationMs: 0 });
    expect(Object.isFrozen(ran) && Object.isFrozen(ran?.tags) && Object.isFrozen(ran?.metadata) && Object.isFrozen(ran?.stats)).toBe(true);
    await store.close();
  });

  it(".saveBatch() - keeps the change log within its retention bound", async () => {
    const store = new SqliteStore(":memory:");
    for (let batch = 0; batch < 3; batch++) {
      await store.saveBatch(Array.from({ length: 5_000 }, (_, i) => request(`s${batch}-${i}`)));
    }
    const { n, lo, hi } = connection(store).prepare("SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM changes").get() as { n: number; lo: number; hi: number };
    expect([n, lo, hi]).toEqual([10_000, 5_001, 15_000]);
    await store.close();
  });
});
