import type { IndexedText } from "../../search/analyzer.js";
import type { SkillFilter, TextQuery } from "../skill-store.js";

/**
 * SQL conditions (on alias `s`) for the shared filters; their values are appended to
 * `params` and referenced as `$n`. Same meaning as the SQLite store's filters.
 */
export function filterConditions(filter: SkillFilter, params: unknown[]): string[] {
  const sql: string[] = [];
  if (filter.category !== undefined) sql.push(`s.category = $${params.push(pgText(filter.category))}`);
  if (filter.tags !== undefined && filter.tags.length > 0) sql.push(`s.tags @> $${params.push(filter.tags.map(pgText))}::text[]`);
  if (filter.minSuccessRate !== undefined && filter.minSuccessRate > 0) {
    sql.push(`s.executions > 0 AND s.successes::float8 / s.executions >= $${params.push(filter.minSuccessRate)}`);
  } else if (filter.minSuccessRate !== undefined) {
    sql.push(`(s.executions = 0 OR s.successes::float8 / s.executions >= $${params.push(filter.minSuccessRate)})`);
  }
  return sql;
}

/** A `WHERE` clause from conditions, or nothing. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
}

/** Longest form sent to the text-search parser (longer words are never indexed anyway). */
const MAX_FORM_LENGTH = 256;

/**
 * The text-search configuration of the index and the queries. The search layer already made
 * the terms (Porter stems, stop words out), so `simple` keeps them as they are and both
 * stores index, and match, the same terms.
 */
export const TS_CONFIG = "simple";

/**
 * A `to_tsquery('simple', …)` text for a prepared query: groups OR-ed, each group's terms
 * OR-ed; a term ending in `*` is a prefix (`'term':*`). Every term is cut down to letters and
 * digits and single-quoted, so no user text is ever read as query syntax. `""` when nothing
 * is left to search for.
 *
 * @example
 * tsqueryText({ groups: [["log*"], ["form"]] }) // "'log':* | 'form'"
 */
export function tsqueryText(query: TextQuery): string {
  const groups = query.groups
    .map((forms) => forms.map(quoteForm).filter((form) => form !== ""))
    .filter((forms) => forms.length > 0)
    .map((forms) => (forms.length === 1 ? (forms[0] as string) : `(${forms.join(" | ")})`));
  return groups.join(" | ");
}

function quoteForm(form: string): string {
  const prefix = form.endsWith("*");
  const text = (form.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).join("").slice(0, MAX_FORM_LENGTH);
  if (text === "") return "";
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'${prefix ? ":*" : ""}`;
}

/** The weights of `ts_rank`, in the order {D, C, B, A}: instructions, description and category, tags, name. */
export const RANK_WEIGHTS = "{0.1, 0.4, 0.6, 1.0}";

/** Longest text of one field that goes into the search vector (a `tsvector` is capped at 1 MB). */
const MAX_INDEXED_CHARS = 262_144;

/**
 * The texts of the weighted search vector, from the terms the search layer made:
 * A name, B tags, C description and category, D instructions (see `searchVectorSql`).
 */
export function searchFields(index: IndexedText): [string, string, string, string] {
  const cut = (text: string) => pgText(text.length > MAX_INDEXED_CHARS ? text.slice(0, MAX_INDEXED_CHARS) : text);
  return [cut(index.name), cut(index.tags), cut(`${index.description} ${index.category}`), cut(index.instructions)];
}

/**
 * The SQL of the weighted search vector from the four texts of `searchFields`: parameters
 * `$first` to `$first + 3`, or four SQL expressions (e.g. columns of a batch's rows).
 */
export function searchVectorSql(texts: number | readonly [string, string, string, string]): string {
  const sql = typeof texts === "number" ? [0, 1, 2, 3].map((i) => `$${texts + i}::text`) : texts;
  return ["A", "B", "C", "D"].map((weight, i) => `setweight(to_tsvector('${TS_CONFIG}', ${sql[i]}), '${weight}')`).join(" || ");
}

/** Text PostgreSQL can store: a NUL character (which `text` cannot hold) becomes U+FFFD. */
export function pgText(text: string): string {
  return text.includes("\0") ? text.replaceAll("\0", "\uFFFD") : text;
}

/** `pgText` for optional values, `null` for absent ones. */
export function pgTextOrNull(text: string | undefined): string | null {
  return text === undefined ? null : pgText(text);
}
