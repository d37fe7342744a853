/** Plain-text tables and short values for the human output of the CLI. */

/**
 * Aligns rows under headers, two spaces between columns.
 *
 * @example
 * formatTable(["ID", "RUNS"], [["hello", "3"]]);
 * // "ID     RUNS\nhello  3"
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(width(header), ...rows.map((row) => width(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell)))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** `text` on one line, cut to `max` characters with "…". */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A rate from 0 to 1 as a percentage ("87.5%"), or "-" when never run. */
export function percent(rate: number, runs: number): string {
  if (runs === 0) return "-";
  return `${Math.round(rate * 1000) / 10}%`;
}

/** Milliseconds for humans ("12 ms", "1.5 s"), or "-" when never run. */
export function duration(ms: number, runs: number): string {
  if (runs === 0) return "-";
  return ms < 1000 ? `${Math.round(ms * 10) / 10} ms` : `${Math.round(ms / 100) / 10} s`;
}

function width(text: string): number {
  return [...text].length;
}
