import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** One benchmark row: our figure against its baseline from the same run. */
export interface BenchRow {
  suite: string;
  name: string;
  unit: string;
  ours: number;
  baseline?: number;
  baselineName?: string;
  /** ours / baseline, oriented so that higher is better for us (throughput-like). */
  ratio?: number;
  target?: string;
  met?: boolean;
  extra?: Record<string, number>;
}

const rows: BenchRow[] = [];

/** Records a row and prints it. */
export function record(row: BenchRow): void {
  rows.push(row);
  const ratio = row.ratio === undefined ? "" : `  ratio ${row.ratio.toFixed(2)}`;
  const base = row.baseline === undefined ? "" : `  (baseline ${row.baselineName}: ${fmt(row.baseline)} ${row.unit})`;
  const target = row.target ? `  target ${row.target}: ${row.met ? "met" : "NOT met"}` : "";
  const extra = row.extra?.["ratioToSync"] === undefined ? "" : `  (vs sync call: ${row.extra["ratioToSync"].toFixed(2)})`;
  console.log(`${row.suite.padEnd(10)} ${row.name.padEnd(44)} ${fmt(row.ours).padStart(10)} ${row.unit}${base}${ratio}${target}${extra}`);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(4);
}

/** Writes every row with the machine it ran on. */
export function writeResults(file: string): void {
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 2 ** 30), platform: process.platform };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}
