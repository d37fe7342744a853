import type Database from "better-sqlite3";
import type { SearchCandidate, SkillFilter, TextQuery } from "../skill-store.js";
import { filterConditions, ftsExpression } from "./sqlite-filters.js";
import { rowToSkill, SKILL_COLUMNS, type SkillRow } from "./sqlite-rows.js";

/** Field weights of the full-text index, in column order: name, description, tags, category, instructions. */
const BM25_WEIGHTS = "10.0, 4.0, 6.0, 3.0, 1.0";

/**
 * The embedded store's own search: FTS5's `bm25` over `skills_fts`, best first, with the
 * filters as SQL. The library searches its in-memory index; this serves `searchSkillsSync`
 * until that index is built, and a failed build. `statement` prepares (and may cache) SQL whose
 * text depends on the filters.
 */
export function sqliteFullTextSearch(db: Database.Database, statement: (sql: string) => Database.Statement) {
  const stmt = {
    count: db.prepare("SELECT count(*) FROM skills").pluck(),
    termDocs: db.prepare("SELECT doc FROM skills_vocab WHERE term = ?").pluck(),
    prefixDocs: db.prepare("SELECT max(doc) FROM skills_vocab WHERE term >= ? AND term < ?").pluck(),
  };

  /**
   * Leaves out the words whose terms occur in over half the skills: their BM25 weight is
   * about zero, and matching them would make FTS5 rank nearly every row.
   */
  function withoutCommonTerms(query: TextQuery): TextQuery {
    const total = stmt.count.get() as number;
    if (total < 20) return query;
    const docs = (form: string): number =>
      (form.endsWith("*")
        ? (stmt.prefixDocs.get(form.slice(0, -1), `${form.slice(0, -1)}\u{10ffff}`) as number | null)
        : (stmt.termDocs.get(form) as number | undefined)) ?? 0;
    const groups = query.groups.filter((forms) => forms.every((form) => docs(form) <= total / 2));
    return groups.length > 0 ? { groups } : query;
  }

  return (query: TextQuery, filter: SkillFilter, limit: number): SearchCandidate[] => {
    const match = ftsExpression(withoutCommonTerms(query));
    if (match === "") return [];
    const { sql, params } = filterConditions(filter);
    const where = ["skills_fts MATCH ?", ...sql].join(" AND ");
    const rows = statement(
      `SELECT ${SKILL_COLUMNS}, bm25(skills_fts, ${BM25_WEIGHTS}) AS rank
       FROM skills_fts JOIN skills s ON s.rowid = skills_fts.rowid WHERE ${where} ORDER BY rank LIMIT ?`,
    )
      .raw()
      .all(match, ...params, limit) as [...SkillRow, number][];
    return rows.map((row) => ({ skill: rowToSkill(row as unknown as SkillRow), score: -row[5] }));
  };
}
