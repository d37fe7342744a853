import type { SkillFilter, TextQuery } from "../skill-store.js";

/** SQL conditions (on alias `s`) and their parameters for the shared filters. */
export function filterConditions(filter: SkillFilter): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  if (filter.category !== undefined) {
    sql.push("s.category = ?");
    params.push(filter.category);
  }
  for (const tag of filter.tags ?? []) {
    sql.push("EXISTS (SELECT 1 FROM json_each(s.tags) WHERE json_each.value = ?)");
    params.push(tag);
  }
  if (filter.minSuccessRate !== undefined && filter.minSuccessRate > 0) {
    sql.push("s.executions > 0 AND CAST(s.successes AS REAL) / s.executions >= ?");
    params.push(filter.minSuccessRate);
  } else if (filter.minSuccessRate !== undefined) {
    sql.push("(s.executions = 0 OR CAST(s.successes AS REAL) / s.executions >= ?)");
    params.push(filter.minSuccessRate);
  }
  return { sql, params };
}

/**
 * An FTS5 MATCH expression for a prepared query. Every form is quoted, so no user text is
 * ever read as FTS syntax; a form ending in `*` is a prefix query.
 */
export function ftsExpression(query: TextQuery): string {
  const groups = query.groups
    .map((forms) => forms.filter((form) => form.replace(/\*$/, "").length > 0).map(quoteForm))
    .filter((forms) => forms.length > 0)
    .map((forms) => (forms.length === 1 ? forms[0] : `(${forms.join(" OR ")})`));
  return groups.join(" OR ");
}

function quoteForm(form: string): string {
  const prefix = form.endsWith("*");
  const text = prefix ? form.slice(0, -1) : form;
  return `"${text.replaceAll('"', '""')}"${prefix ? "*" : ""}`;
}
