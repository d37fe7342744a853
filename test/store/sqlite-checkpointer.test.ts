import Database from "better-sqlite3";
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SkillInput } from "../../src/index.js";
import { indexedText } from "../../src/search/analyzer.js";
import { contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import {
  AUTO_CHECKPOINT_PAGES, SAFETY_NET_PAGES, SqliteCheckpointer, WORKER_CHECKPOINT_PAGES, type CheckpointResult,
} from "../../src/store/sqlite/sqlite-checkpointer.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { skill } from "../support/skills.js";
import { tempDir } from "../support/stores.js";

const dir = tempDir();

function request(id: string, overrides: Partial<SkillInput> = {}) {
  const content = normalizeSkill(skill(id, { instructions: `Step one for ${id}. Then the second step, and a third.`, tags: ["t", id], ...overrides }));
  return { skill: content, hash: contentHash(content), index: indexedText(content) };
}

function checkpointerOf(store: SqliteStore): SqliteCheckpointer | undefined {
  return (store as unknown as { checkpointer: SqliteCheckpointer | undefined }).checkpointer;
}

/** Settles with the first checkpoint of `checkpointer`'s worker that copied at least `frames` frames. */
function checkpointOf(checkpointer: SqliteCheckpointer, frames: number): Promise<CheckpointResult> {
  return new Promise((resolve) => {
    const stop = checkpointer.onCheckpoint((result) => {
      if (result.checkpointed < frames) return;
      stop();
      resolve(result);
    });
  });
}

/** Frames the WAL file has room for (it is reused from its start, so its size is its high-water mark). */
function walFrames(file: string): number {
  return (statSync(`${file}-wal`).size - 32) / (4096 + 24);
}

describe("SqliteCheckpointer", () => {
  it("a file store checkpoints on its worker; its own connection keeps only the safety net", async () => {
    const file = `${dir}/worker.db`;
    const store = new SqliteStore(file);
    const checkpointer = checkpointerOf(store);
    expect(checkpointer).toBeDefined();
    expect(store.pragma("wal_autocheckpoint")).toBe(SAFETY_NET_PAGES);
    const checkpointed = checkpointOf(checkpointer as SqliteCheckpointer, WORKER_CHECKPOINT_PAGES);
    // About 3,000 WAL frames, in one commit.
    await store.saveBatch(Array.from({ length: 20_000 }, (_, i) => request(`s${i}`)));
    const result = await checkpointed;
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThanOrEqual(result.checkpointed);
    // What the worker copied is in the database file itself, read with no WAL at all.
    await store.close();
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare("SELECT count(*) FROM skills").pluck().get()).toBe(20_000);
    copy.close();
  });

  it("the WAL stays bounded under sustained single saves", async () => {
    const file = `${dir}/bounded.db`;
    const store = new SqliteStore(file);
    const checkpoints: CheckpointResult[] = [];
    checkpointerOf(store)?.onCheckpoint((result) => checkpoints.push(result));
    // Each save appends its changed pages to the WAL: about 115,000 frames in all, which is what
    // the WAL grows to with no checkpoint on the store's connection. Bounded, it stays near the
    // safety net: past it by what the writer writes while a checkpoint of the worker holds the lock.
    for (let i = 0; i < 10_000; i++) await store.save(request(`p${i}`));
    expect(walFrames(file)).toBeLessThan(3 * SAFETY_NET_PAGES);
    // The worker's reports arrive when the event loop turns; all of them before it has stopped.
    await store.close();
    // The worker checkpointed along the way, and the WAL was reused from its start (its frame count fell).
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.some((c, i) => i > 0 && c.log < (checkpoints[i - 1] as CheckpointResult).log)).toBe(true);
  });

  it("a :memory: store starts no worker", async () => {
    const store = new SqliteStore(":memory:");
    expect(checkpointerOf(store)).toBeUndefined();
    await store.close();
  });

  it("falls back to SQLite's automatic checkpoint when the worker cannot start", async () => {
    const file = `${dir}/fallback.db`;
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (x)");
    const checkpointer = new SqliteCheckpointer(db, file, { driver: `${dir}/no-such-driver.js` });
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(SAFETY_NET_PAGES);
    db.prepare("INSERT INTO t VALUES (1)").run();
    checkpointer.committed();
    await checkpointer.gone();
    expect(checkpointer.failure?.message).toMatch(/no-such-driver/);
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(AUTO_CHECKPOINT_PAGES);
    checkpointer.committed();
    await checkpointer.stop();
    db.close();
  });
});
