import Database from "better-sqlite3";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { openSkillLibrary, VersionConflictError, type SkillInput } from "../../src/index.js";
import { indexedText } from "../../src/search/analyzer.js";
import { embeddingText } from "../../src/search/semantic/embed-texts.js";
import { contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import type { SaveRequest } from "../../src/store/skill-store.js";
import { packRow, ROW_FIELDS, unpackRow, type PackedRows } from "../../src/store/sqlite/sqlite-batch-protocol.js";
import { SqliteBatchWriter } from "../../src/store/sqlite/sqlite-batch-writer.js";
import { BATCH_WRITER_MIN, BATCH_WRITER_START_MIN, SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { saveRow } from "../../src/store/sqlite/sqlite-writer.js";
import { ConceptEmbedder } from "../support/concept-embedder.js";
import { skill, waitFor } from "../support/skills.js";
import { tempDir } from "../support/stores.js";

const dir = tempDir();
let files = 0;
const newFile = () => `${dir}/batch-${++files}.db`;

/** Skills with varied text (so the index terms differ), ids `${prefix}-0…`. */
function skills(count: number, prefix: string, note = ""): SkillInput[] {
  const words = ["parse", "invoices", "sending", "emails", "résumé", "logged", "in", "to", "the", "databases", "Files", "zip"];
  return Array.from({ length: count }, (_, i) =>
    skill(`${prefix}-${i}`, {
      name: `${words[i % 12]} ${words[(i * 7) % 12]} ${i}`,
      description: `${words[(i * 5) % 12]} and ${words[(i * 3) % 12]} ${note}`,
      tags: [words[i % 5] as string],
      instructions: i % 3 === 0 ? `${words[(i * 11) % 12]} carefully, then ${words[(i * 2) % 12]}` : undefined,
    }),
  );
}

function request(input: SkillInput, overrides: Partial<SaveRequest> = {}): SaveRequest {
  const content = normalizeSkill(input);
  return { skill: content, hash: contentHash(content), index: indexedText(content), ...overrides };
}

/** A store on a new file whose batch writer starts its worker from `script`. */
function storeWithWorkerScript(script: URL): { store: SqliteStore; batchWriter: SqliteBatchWriter } {
  const file = newFile();
  const store = new SqliteStore(file);
  const internals = store as unknown as { batchWriter: SqliteBatchWriter; origin: string };
  internals.batchWriter = new SqliteBatchWriter(file, internals.origin, 40_000, { script });
  return { store, batchWriter: internals.batchWriter };
}

const writerOf = (store: SqliteStore) => (store as unknown as { batchWriter: SqliteBatchWriter }).batchWriter;

/** What a store file holds, without the save times: skills, versions, change log and full-text terms. */
function contents(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      skills: db.prepare("SELECT id, version, content, hash, category, tags FROM skills ORDER BY id").all(),
      versions: db.prepare("SELECT skill_id, version, hash, content FROM skill_versions ORDER BY skill_id, version").all(),
      changes: db.prepare("SELECT skill_id, kind FROM changes ORDER BY seq").all(),
      terms: db.prepare("SELECT term, doc, cnt FROM skills_vocab ORDER BY term").all(),
      integrity: db.pragma("integrity_check", { simple: true }),
    };
  } finally {
    db.close();
  }
}

describe("SqliteStore: batches on the batch writer's thread", () => {
  it(`a batch of ${BATCH_WRITER_START_MIN} starts the thread, later ones of ${BATCH_WRITER_MIN} use it; all write the same rows, terms and change log as small batches`, async () => {
    const [threaded, inline] = [newFile(), newFile()];
    const small = skills(BATCH_WRITER_START_MIN - 1, "u");
    const first = skills(BATCH_WRITER_START_MIN, "s");
    const second = [...skills(BATCH_WRITER_MIN / 2, "s", "changed"), ...skills(BATCH_WRITER_MIN / 2, "t")];
    // New skills first, then updates (the worker's full-text rows wait from the first update on), and one id twice.
    const third = [...skills(600, "v"), ...skills(600, "s", "third"), ...skills(1, "v", "again")];
    const store = new SqliteStore(threaded);
    const reference = new SqliteStore(inline);
    try {
      const ran: boolean[] = [];
      for (const batch of [small, first, second, third]) {
        const saved = await store.saveBatch(batch.map((s) => request(s)));
        ran.push(writerOf(store).running);
        const expected: typeof saved = [];
        for (let at = 0; at < batch.length; at += 500) expected.push(...(await reference.saveBatch(batch.slice(at, at + 500).map((s) => request(s)))));
        expect(saved.map((r) => [r.changed, r.version.skillId, r.version.version, r.version.hash])).toEqual(
          expected.map((r) => [r.changed, r.version.skillId, r.version.version, r.version.hash]),
        );
      }
      expect(ran).toEqual([false, true, true, true]);
      const stats = writerOf(store).stats;
      expect(stats).toMatchObject({ batches: 3, rows: BATCH_WRITER_START_MIN + BATCH_WRITER_MIN + third.length });
      expect(writerOf(reference).running).toBe(false);
      expect(writerOf(reference).stats.batches).toBe(0);
    } finally {
      await store.close();
      await reference.close();
    }
    const [ours, theirs] = [contents(threaded), contents(inline)];
    expect(ours.integrity).toBe("ok");
    expect(ours.skills).toHaveLength(2 * BATCH_WRITER_START_MIN - 1 + BATCH_WRITER_MIN / 2 + 600);
    expect(ours).toEqual(theirs);
  });

  it("a row crosses to the worker whole: packed and unpacked, optional fields and an embedding too", () => {
    const content = normalizeSkill(skills(1, "one")[0] as SkillInput);
    const bare = saveRow(request(content), "{}");
    const full = saveRow(
      request(content, { expectedVersion: 3, author: "ann", message: "why", embedding: { model: "m", vector: new Float32Array([1, 2]) } }),
      "{}",
    );
    const packed: PackedRows = [];
    packRow(packed, bare);
    packRow(packed, full);
    expect(packed).toHaveLength(2 * ROW_FIELDS);
    expect(unpackRow(packed, 0)).toEqual(bare);
    expect(unpackRow(packed, ROW_FIELDS)).toEqual(full);
  });

  it("a conflict anywhere in the batch rejects all of it: nothing written, the store still writable", async () => {
    const store = new SqliteStore(newFile());
    try {
      await store.save(request(skill("held")));
      const batch = skills(BATCH_WRITER_START_MIN, "c").map((s) => request(s));
      batch.splice(BATCH_WRITER_START_MIN - 300, 0, request(skill("held", { name: "changed" }), { expectedVersion: 5 }));
      const failed = await store.saveBatch(batch).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(VersionConflictError);
      expect(failed).toMatchObject({ code: "VERSION_CONFLICT", skillId: "held", expected: 5, actual: 1 });
      expect(await store.list({ limit: Infinity, offset: 0 })).toHaveLength(1);
      expect(writerOf(store).running).toBe(true);
      const saved = await store.saveBatch(skills(1000, "after").map((s) => request(s)));
      expect(saved.every((r) => r.changed && r.version.version === 1)).toBe(true);
      expect(await store.list({ limit: Infinity, offset: 0 })).toHaveLength(1001);
    } finally {
      await store.close();
    }
  });

  it("an error thrown while the requests are made rolls the batch back and reaches the caller", async () => {
    const store = new SqliteStore(newFile());
    try {
      const made = skills(BATCH_WRITER_START_MIN + 500, "e");
      function* requests(): Generator<SaveRequest> {
        for (const [i, s] of made.entries()) {
          if (i === BATCH_WRITER_START_MIN) throw new Error("made up failure");
          yield request(s);
        }
      }
      await expect(store.saveBatch(requests(), made.length)).rejects.toThrow("made up failure");
      expect(await store.list({ limit: Infinity, offset: 0 })).toHaveLength(0);
      expect(writerOf(store).running).toBe(true);
      expect(await store.saveBatch(made.map((s) => request(s)))).toHaveLength(made.length);
    } finally {
      await store.close();
    }
  });

  it("readers see none of a batch until it commits, though the thread writes while the rest is made", async () => {
    const file = newFile();
    const store = new SqliteStore(file);
    const reader = new Database(file, { readonly: true });
    const count = reader.prepare("SELECT count(*) FROM skills").pluck();
    // A third connection that never waits: its BEGIN IMMEDIATE fails while the worker holds the write lock.
    const prober = new Database(file, { timeout: 0 });
    const workerHoldsLock = () => {
      try {
        prober.exec("BEGIN IMMEDIATE; ROLLBACK");
        return false;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
        return true;
      }
    };
    const seen: number[] = [];
    let lockedMidway = false;
    try {
      await store.save(request(skill("before")));
      const made = skills(BATCH_WRITER_START_MIN + 500, "r");
      function* requests(): Generator<SaveRequest> {
        for (const [i, s] of made.entries()) {
          if (i === 2000) {
            // Half the batch is posted: wait (this thread only; the worker runs on) until the worker has begun writing.
            const until = Date.now() + 10_000;
            while (!(lockedMidway = workerHoldsLock()) && Date.now() < until);
          }
          if (i % 500 === 0) seen.push(count.get() as number, store.sync.get("before") ? 1 : 0);
          yield request(s);
        }
      }
      await store.saveBatch(requests(), made.length);
      expect(lockedMidway).toBe(true);
      expect(seen).toEqual(Array.from({ length: made.length / 500 }, () => [1, 1]).flat());
      expect(count.get()).toBe(made.length + 1);
      expect(writerOf(store).stats.batches).toBe(1);
    } finally {
      reader.close();
      prober.close();
      await store.close();
    }
  });

  it("a thread whose script is missing is never started: the store writes the batch itself", async () => {
    const { store, batchWriter } = storeWithWorkerScript(new URL("./no-such-batch-worker.js", import.meta.url));
    try {
      const made = skills(BATCH_WRITER_START_MIN, "m");
      expect((await store.saveBatch(made.map((s) => request(s)))).filter((r) => r.changed)).toHaveLength(made.length);
      expect(batchWriter.failure?.message).toMatch(/does not exist/);
      expect(batchWriter.stats.batches).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("a thread that dies fails its batch as STORE_UNAVAILABLE with nothing written; the store then writes batches itself", async () => {
    const script = join(dir, "dying-batch-worker.mjs");
    writeFileSync(script, 'throw new Error("this batch writer dies as it starts");\n');
    const { store, batchWriter } = storeWithWorkerScript(pathToFileURL(script));
    try {
      const made = skills(BATCH_WRITER_START_MIN, "f");
      const failed = await store.saveBatch(made.map((s) => request(s))).catch((error: unknown) => error);
      expect(failed).toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect((failed as Error).message).toMatch(/dies as it starts.*Retrying it is safe/s);
      expect(batchWriter.usable).toBe(false);
      expect(await store.list({ limit: Infinity, offset: 0 })).toHaveLength(0);
      const saved = await store.saveBatch(made.map((s) => request(s)));
      expect(saved.filter((r) => r.changed)).toHaveLength(made.length);
      expect(batchWriter.stats.batches).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("close() waits for a batch already asked for, stops the thread, and refuses batches asked for after it", async () => {
    const file = newFile();
    const store = new SqliteStore(file);
    const made = skills(BATCH_WRITER_START_MIN, "q");
    const queued = store.saveBatch(made.map((s) => request(s)));
    await store.close();
    expect((await queued).filter((r) => r.changed)).toHaveLength(made.length);
    expect(writerOf(store).running).toBe(false);
    await expect(store.saveBatch(made.map((s) => request(s)))).rejects.toThrow();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM skills").pluck().get()).toBe(made.length);
    db.close();
  });

  it("a library closed right after batchAddSkills (not awaited) still saves the batch", async () => {
    const file = newFile();
    const library = await openSkillLibrary({ store: file });
    const added = library.batchAddSkills(skills(BATCH_WRITER_START_MIN, "c"));
    await library.close();
    expect(Object.values(await added).every(Boolean)).toBe(true);
    const reopened = await openSkillLibrary({ store: file });
    try {
      expect(await reopened.listSkills({ limit: Infinity })).toHaveLength(BATCH_WRITER_START_MIN);
    } finally {
      await reopened.close();
    }
  });

  it("another library on the file is told of a batch; the writing library drops what it changed", async () => {
    const file = newFile();
    const writer = await openSkillLibrary({ store: file });
    const reader = await openSkillLibrary({ store: file });
    try {
      await writer.batchAddSkills(skills(BATCH_WRITER_START_MIN, "w"));
      expect((await reader.getSkill("w-7"))?.version).toBe(1);
      expect((await writer.getSkill("w-7"))?.version).toBe(1);
      await writer.batchAddSkills(skills(BATCH_WRITER_MIN, "w", "second"));
      expect((await writer.getSkill("w-7"))?.version).toBe(2);
      expect((await writer.searchSkills("second")).length).toBeGreaterThan(0);
      await waitFor(async () => (await reader.getSkill("w-7"))?.version === 2, 2000, "the batch reaching the other library");
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it("with an embedder: the thread starts while the vectors are made, each skill's vector is stored with its version, refused skills are marked", async () => {
    const file = newFile();
    const embedder = new ConceptEmbedder();
    const library = await openSkillLibrary({ store: file, embedder });
    const internals = library as unknown as { storeInstance: SqliteStore };
    const threadUpWhileEmbedding: boolean[] = [];
    const embed = embedder.embed.bind(embedder);
    embedder.embed = (texts) => (threadUpWhileEmbedding.push(writerOf(internals.storeInstance).running), embed(texts));
    const batch = [...skills(BATCH_WRITER_START_MIN, "e"), { id: "no-name" } as unknown as SkillInput, skill("e-huge", { description: "x".repeat(100_000) })];
    try {
      const outcome = await library.batchAddSkills(batch);
      expect(Object.values(outcome).filter(Boolean)).toHaveLength(BATCH_WRITER_START_MIN);
      expect([outcome["no-name"], outcome["e-huge"]]).toEqual([false, false]);
      // Texts go to the embedder 128 at a time; the thread was up (or starting) from the first call on.
      expect(threadUpWhileEmbedding).toHaveLength(Math.ceil(BATCH_WRITER_START_MIN / 128));
      expect(threadUpWhileEmbedding.every(Boolean)).toBe(true);
      expect(writerOf(internals.storeInstance).stats).toMatchObject({ batches: 1, rows: BATCH_WRITER_START_MIN });
      const stored = await internals.storeInstance.embeddings(embedder.id);
      expect(stored).toHaveLength(BATCH_WRITER_START_MIN);
      const expected = await new ConceptEmbedder().embed(batch.slice(0, BATCH_WRITER_START_MIN).map((s) => embeddingText(normalizeSkill(s))));
      const byId = new Map(stored.map((r) => [r.skillId, r]));
      batch.slice(0, BATCH_WRITER_START_MIN).forEach((s, i) => {
        expect(byId.get(s.id)?.version).toBe(1);
        expect(Array.from(byId.get(s.id)?.vector ?? [])).toEqual(Array.from(expected[i] as Float32Array));
      });
      // An embedder failing mid-batch: nothing of the batch is saved, and the store stays writable.
      let calls = 0;
      embedder.embed = (texts) => (++calls === 3 ? Promise.reject(new Error("rate limited")) : embed(texts));
      await expect(library.batchAddSkills(skills(BATCH_WRITER_START_MIN, "f"))).rejects.toMatchObject({ code: "EMBEDDER_FAILED" });
      expect(await library.getSkill("f-0")).toBeUndefined();
      await library.addSkill(skill("after", {}));
      expect((await library.getSkill("after"))?.version).toBe(1);
    } finally {
      await library.close();
    }
  });
});
