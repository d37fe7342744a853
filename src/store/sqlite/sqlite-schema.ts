import type Database from "better-sqlite3";

/**
 * Schema migrations of the embedded store, applied in order inside one `BEGIN IMMEDIATE`
 * transaction; `PRAGMA user_version` records how many have run.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE skills (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    hash TEXT NOT NULL,
    category TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    executions INTEGER NOT NULL DEFAULT 0,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    timeouts INTEGER NOT NULL DEFAULT 0,
    total_duration_ms REAL NOT NULL DEFAULT 0,
    p95_duration_ms REAL NOT NULL DEFAULT 0,
    last_executed_at TEXT
  );
  CREATE INDEX skills_category ON skills(category);
  CREATE TABLE skill_versions (
    skill_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    saved_at TEXT NOT NULL,
    hash TEXT NOT NULL,
    author TEXT,
    message TEXT,
    content TEXT NOT NULL,
    PRIMARY KEY (skill_id, version)
  ) WITHOUT ROWID;
  CREATE VIRTUAL TABLE skills_fts USING fts5(
    name, description, tags, category, instructions,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
  );
  CREATE VIRTUAL TABLE skills_vocab USING fts5vocab(skills_fts, row);
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    skill_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL
  );
  CREATE TABLE executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    skill_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    agent_id TEXT,
    started_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX executions_skill ON executions(skill_id, seq);
  CREATE TABLE duration_buckets (
    skill_id TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    runs INTEGER NOT NULL,
    PRIMARY KEY (skill_id, bucket)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE skill_embeddings (
    skill_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (skill_id, model, version)
  ) WITHOUT ROWID;
  `,
  // From here on, the version row of a skill's current version holds '' and its content is read
  // from the skill row (the content is written once per save, not twice). When the skill row
  // moves to another version or goes, these triggers copy the content into that '' row, in the
  // same statement, whoever writes: an older skill-library that still has the file open too.
  // The number goes up so that an older skill-library refuses to open the file.
  `
  CREATE TRIGGER IF NOT EXISTS skills_keep_superseded_content BEFORE UPDATE OF version ON skills
  WHEN OLD.version <> NEW.version
  BEGIN
    UPDATE skill_versions SET content = OLD.content WHERE skill_id = OLD.id AND version = OLD.version AND content = '';
  END;
  CREATE TRIGGER IF NOT EXISTS skills_keep_deleted_content BEFORE DELETE ON skills
  BEGIN
    UPDATE skill_versions SET content = OLD.content WHERE skill_id = OLD.id AND version = OLD.version AND content = '';
  END;
  `,
  // The logs' sequence numbers without AUTOINCREMENT: it wrote a sqlite_sequence page on every
  // insert (about 20 µs of a 50–70 µs commit). Numbers still only grow, because a log is only
  // trimmed from its oldest end, so its newest row (the next number's base) is never deleted.
  `
  CREATE TABLE changes_next (
    seq INTEGER PRIMARY KEY,
    skill_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL
  );
  INSERT INTO changes_next (seq, skill_id, kind, origin) SELECT seq, skill_id, kind, origin FROM changes;
  DROP TABLE changes;
  ALTER TABLE changes_next RENAME TO changes;
  CREATE TABLE executions_next (
    seq INTEGER PRIMARY KEY,
    skill_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    agent_id TEXT,
    started_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT
  );
  INSERT INTO executions_next (seq, skill_id, version, agent_id, started_at, duration_ms, outcome, error)
    SELECT seq, skill_id, version, agent_id, started_at, duration_ms, outcome, error FROM executions;
  DROP TABLE executions;
  ALTER TABLE executions_next RENAME TO executions;
  CREATE INDEX executions_skill ON executions(skill_id, seq);
  `,
  // A single save's full-text row is written later, many at a time (see sqlite-fulltext-backlog.ts):
  // the rowids of the skills whose full-text row is out of date.
  `
  CREATE TABLE fulltext_backlog (skill_rowid INTEGER PRIMARY KEY);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file's schema up to date; safe when several processes open it at once. */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    const current = db.pragma("user_version", { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(`the store was written by a newer skill-library (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade skill-library`);
    }
    for (let i = current; i < SCHEMA_VERSION; i++) db.exec(MIGRATIONS[i] as string);
    if (current !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  run.immediate();
}
