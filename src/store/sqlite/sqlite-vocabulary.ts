import type Database from "better-sqlite3";
import type { Vocabulary } from "../../search/vocabulary.js";

const EMPTY = Buffer.alloc(0);

/** Column order of the full-text table. */
const COLUMNS = ["name", "description", "tags", "category", "instructions"] as const;

/**
 * The vocabulary of the embedded store's FTS5 index (`skills_vocab`), read again only when
 * the index changed: FTS5 rewrites its structure record (`skills_fts_data` id 10) and its
 * averages record (id 1: rows and terms per column) on every write that reaches the index,
 * by this connection or another process, so comparing those two small records tells
 * whether the vocabulary read before still holds. Returns the same object while it holds.
 */
export function sqliteVocabulary(db: Database.Database): () => Vocabulary {
  const records = db.prepare("SELECT id, block FROM skills_fts_data WHERE id IN (1, 10) ORDER BY id").raw();
  const vocabularyRows = db.prepare("SELECT term, doc FROM skills_vocab").raw();
  // The averages record's row count is not lowered by a delete from a contentless table.
  const rowCount = db.prepare("SELECT count(*) FROM skills_fts").pluck();
  let seen: { averages: Buffer; structure: Buffer } | undefined;
  let current: Vocabulary | undefined;
  return () => {
    const rows = records.all() as [number, Buffer | null][];
    const averages = rows.find(([id]) => id === 1)?.[1] ?? EMPTY;
    const structure = rows.find(([id]) => id === 10)?.[1] ?? EMPTY;
    if (current && seen && seen.averages.equals(averages) && seen.structure.equals(structure)) return current;
    const terms = new Map<string, number>();
    for (const [term, docs] of vocabularyRows.all() as [string, number][]) terms.set(term, docs);
    const totals = readVarints(averages);
    const documents = rowCount.get() as number;
    // Mean terms per field over the rows ever indexed (deletes do not lower these totals).
    const indexed = totals[0] ?? 0;
    const averageLengths: Partial<Record<(typeof COLUMNS)[number], number>> = {};
    COLUMNS.forEach((column, i) => {
      const total = totals[i + 1];
      if (total !== undefined && indexed > 0) averageLengths[column] = total / indexed;
    });
    seen = { averages, structure };
    current = { documents, terms, averageLengths };
    return current;
  };
}

/** The SQLite varints of an FTS5 record, in order. */
function readVarints(buffer: Buffer): number[] {
  const values: number[] = [];
  let i = 0;
  while (i < buffer.length) {
    let value = 0;
    let byte = 0;
    let n = 0;
    do {
      byte = buffer[i++] ?? 0;
      value = n === 8 ? value * 256 + byte : value * 128 + (byte & 0x7f);
      n++;
    } while (byte & 0x80 && n < 9 && i < buffer.length);
    values.push(value);
  }
  return values;
}
