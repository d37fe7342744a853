import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSkillLibrary, type SkillInput } from "../../src/index.js";
import { indexedText } from "../../src/search/analyzer.js";
import { contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill } from "../../src/skill/validate-skill.js";
import type { SaveRequest } from "../../src/store/skill-store.js";
import { FLUSH_ROWS } from "../../src/store/sqlite/sqlite-fulltext-backlog.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { startChild } from "../support/processes.js";
import { skill, waitFor } from "../support/skills.js";
import { tempDir } from "../support/stores.js";

const dir = tempDir();
let files = 0;
const newFile = () => `${dir}/backlog-${++files}.db`;

/** A skill whose description holds one made-up word, `word`. */
const worded = (id: string, word: string): SkillInput => skill(id, { description: `handles ${word} for tests` });

function request(input: SkillInput): SaveRequest {
  const content = normalizeSkill(input);
  return { skill: content, hash: contentHash(content), index: indexedText(content) };
}

/** Reads the file on a connection of its own (writable: FTS5's integrity check is a write command). */
function inspect<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const backlogSize = (file: string) => inspect(file, (db) => db.prepare("SELECT count(*) FROM fulltext_backlog").pluck().get() as number);
/** The rowids of the full-text rows holding `word` (as the analyzer indexes it). */
const rowidsWith = (db: Database.Database, word: string) =>
  db.prepare("SELECT rowid FROM skills_fts WHERE skills_fts MATCH ? ORDER BY rowid").pluck().all(`"${indexedText(normalizeSkill(worded("x", word))).description.split(" ")[1]}"`);
const rowidOf = (db: Database.Database, id: string) => db.prepare("SELECT rowid FROM skills WHERE id = ?").pluck().get(id);
const terms = (db: Database.Database) => db.prepare("SELECT term, doc, cnt FROM skills_vocab ORDER BY term").all();

describe("SqliteStore: single saves' full-text rows are written later, many at a time", () => {
  it("updates, deletes, a reused rowid and a batch over waiting rows leave the index as if every row had been written at once", async () => {
    const file = newFile();
    const store = new SqliteStore(file);
    for (let i = 0; i < 10; i++) await store.save(request(worded(`a-${i}`, `alpha${i}`)));
    expect(backlogSize(file)).toBe(10);
    await store.vocabulary(); // reading the index writes what waits first
    expect(backlogSize(file)).toBe(0);
    await store.save(request(worded("a-3", "bravo"))); // waits, with an old row in the index
    await store.delete("a-9"); // the highest rowid goes: the next new skill takes it again
    await store.save(request(worded("b-0", "charlie"))); // waits, in a-9's old rowid
    await store.delete("a-3"); // its old row goes from the index, its waiting one is dropped
    await store.save(request(worded("a-3", "delta")));
    await store.save(request(worded("c-0", "echo")));
    await store.delete("c-0"); // never reached the index
    await store.save(request(worded("c-0", "echo"))); // the same content again: a new rowid, waiting
    // A batch over a waiting rowid (b-0) and an indexed one (a-1) writes both at once.
    await store.saveBatch([request(worded("b-0", "foxtrot")), request(worded("a-1", "golf"))]);
    expect(backlogSize(file)).toBe(2); // a-3 and c-0
    await store.close(); // writes the rest
    expect(backlogSize(file)).toBe(0);

    const finalSkills = [
      ...[0, 2, 4, 5, 6, 7, 8].map((i) => worded(`a-${i}`, `alpha${i}`)),
      worded("a-1", "golf"), worded("a-3", "delta"), worded("b-0", "foxtrot"), worded("c-0", "echo"),
    ];
    const reference = newFile();
    const written = new SqliteStore(reference);
    await written.saveBatch(finalSkills.map(request));
    await written.close();

    inspect(file, (db) => {
      for (const s of finalSkills) expect(rowidsWith(db, (s.description as string).split(" ")[1] as string)).toEqual([rowidOf(db, s.id)]);
      for (const gone of ["alpha1", "alpha3", "alpha9", "bravo", "charlie"]) expect(rowidsWith(db, gone)).toEqual([]);
      expect(terms(db)).toEqual(inspect(reference, terms));
      db.prepare("INSERT INTO skills_fts (skills_fts) VALUES ('integrity-check')").run();
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    });
  });

  it(`rows are written once ${FLUSH_ROWS} wait, and shortly after the last save`, async () => {
    const file = newFile();
    const store = new SqliteStore(file);
    try {
      // Each save settles at once, so no timer runs between them.
      for (let i = 0; i < FLUSH_ROWS - 1; i++) await store.save(request(worded(`s-${i}`, `word${i}`)));
      expect(backlogSize(file)).toBe(FLUSH_ROWS - 1);
      await store.save(request(worded("s-last", "wordlast")));
      expect(backlogSize(file)).toBe(0);
      await store.save(request(worded("s-after", "wordafter")));
      expect(backlogSize(file)).toBe(1);
      await waitFor(() => backlogSize(file) === 0, 5000, "the delayed write of the backlog");
      inspect(file, (db) => expect(rowidsWith(db, "wordafter")).toEqual([rowidOf(db, "s-after")]));
    } finally {
      await store.close();
    }
  });

  it("a process killed with rows waiting: the next process to read the index writes them, their text made again from the skill rows", async () => {
    const file = newFile();
    const count = FLUSH_ROWS + 44;
    const child = startChild("save-and-freeze", file, String(count), "p");
    await child.next((e) => e["saved"] === count);
    child.process.kill("SIGKILL");
    await child.exited;
    expect(backlogSize(file)).toBe(count - FLUSH_ROWS);
    const library = await openSkillLibrary({ store: file });
    try {
      // The first synchronous search asks the store's full-text index (the in-memory one is not built yet).
      expect(library.searchSkillsSync(`pword${count - 1}`).map((s) => s.id)).toEqual([`p-${count - 1}`]);
      expect(backlogSize(file)).toBe(0);
      inspect(file, (db) => {
        for (let i = 0; i < count; i++) expect(rowidsWith(db, `pword${i}`)).toEqual([rowidOf(db, `p-${i}`)]);
      });
    } finally {
      await library.close();
    }
  });

  it("rows another connection wrote are forgotten here too (no texts pile up in memory)", async () => {
    const file = newFile();
    const [mine, other] = [new SqliteStore(file), new SqliteStore(file)];
    const deferred = (store: SqliteStore) => (store as unknown as { backlog: { deferred: Map<number, unknown> } }).backlog.deferred;
    try {
      await mine.save(request(worded("x", "xray")));
      await other.vocabulary(); // writes the backlog, mine's row too
      await mine.save(request(worded("y", "yankee")));
      expect(deferred(mine).size).toBe(2);
      await mine.vocabulary();
      expect(deferred(mine).size).toBe(0);
      expect(backlogSize(file)).toBe(0);
      inspect(file, (db) => expect([rowidsWith(db, "xray"), rowidsWith(db, "yankee")]).toEqual([[rowidOf(db, "x")], [rowidOf(db, "y")]]));
    } finally {
      await mine.close();
      await other.close();
    }
  });

  it("another connection holding the write lock: a read does not wait for it (the index as it stands), and the rows are written once it is free", async () => {
    const file = newFile();
    const store = new SqliteStore(file);
    const other = new Database(file);
    try {
      await store.save(request(worded("held", "hotel")));
      other.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      const vocabulary = await store.vocabulary();
      expect(Date.now() - started).toBeLessThan(5000); // not the 10 s busy timeout
      expect(vocabulary.terms.has("hotel")).toBe(false);
      expect(backlogSize(file)).toBe(1);
      other.exec("COMMIT");
      await waitFor(() => backlogSize(file) === 0, 5000, "the backlog written after the lock was released");
      expect((await store.vocabulary()).terms.get("hotel")).toBe(1);
    } finally {
      other.close();
      await store.close();
    }
  });
});
