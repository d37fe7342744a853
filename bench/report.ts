import { writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";

/**
 * Where a row sits on a chart: the chart's id, the line (or bar group) it belongs to, and
 * its x value (skills in the library, agents, processes, …).
 */
export interface CurvePoint {
  chart: string;
  series: string;
  x: number;
}

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
  /** Skills in the library when the row was measured. */
  size?: number;
  /** Set on rows that belong to a chart of `bench:report`. */
  curve?: CurvePoint;
  /** What a reader must know to read the row right (e.g. what the peer's search really does). */
  note?: string;
}

/** A capability, ours against each peer's (text, not figures): what a peer does not offer. */
export interface FeatureRow {
  feature: string;
  ours: string;
  peers: Record<string, string>;
}

/** The machine a run was measured on. */
export interface MachineInfo {
  node: string;
  cpus: number;
  cpu: string;
  memoryGb: number;
  platform: string;
  osRelease?: string;
  /** 1-minute load average when the run started (other work on the machine). */
  loadAverageAtStart?: number;
}

/** The file `npm run bench` writes and `npm run bench:report` reads. */
export interface BenchResults {
  date: string;
  machine: MachineInfo;
  rows: BenchRow[];
  features?: FeatureRow[];
  /** Library sizes the run used (`BENCH_SIZES`). */
  sizes?: number[];
  /** Wall time of the whole run. */
  durationMs?: number;
  /** Suites that were skipped, with why. */
  skipped?: string[];
}

const rows: BenchRow[] = [];
const features: FeatureRow[] = [];
const skipped: string[] = [];
const startedAt = performance.now();
const loadAtStart = loadavg()[0];

/** Records a row and prints it. */
export function record(row: BenchRow): void {
  rows.push(row);
  const ratio = row.ratio === undefined ? "" : `  ratio ${row.ratio.toFixed(2)}`;
  const base = row.baseline === undefined ? "" : `  (baseline ${row.baselineName}: ${fmt(row.baseline)} ${row.unit})`;
  const target = row.target ? `  target ${row.target}: ${row.met ? "met" : "NOT met"}` : "";
  const extra = row.extra?.["ratioToSync"] === undefined ? "" : `  (vs sync call: ${row.extra["ratioToSync"].toFixed(2)})`;
  const p99 = row.extra?.["p99"] === undefined ? "" : `  p99 ${fmt(row.extra["p99"])} ms`;
  console.log(`${row.suite.padEnd(10)} ${row.name.padEnd(44)} ${fmt(row.ours).padStart(10)} ${row.unit}${p99}${base}${ratio}${target}${extra}`);
}

/** Records a capability row (ours against the peers'). */
export function recordFeature(row: FeatureRow): void {
  features.push(row);
  console.log(`feature    ${row.feature.padEnd(44)} ours: ${row.ours}; ${Object.entries(row.peers).map(([peer, text]) => `${peer}: ${text}`).join("; ")}`);
}

/** Notes a suite (or part of one) that did not run, and why. */
export function recordSkipped(reason: string): void {
  skipped.push(reason);
  console.log(`skipped    ${reason}`);
}

/** A number with a sensible count of digits for its size. */
export function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(4);
}

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  return {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    platform: process.platform,
    osRelease: release(),
    loadAverageAtStart: loadAtStart,
  };
}

/** Writes every row with the machine it ran on. */
export function writeResults(file: string, meta: { sizes?: number[] } = {}): void {
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    rows,
    features,
    sizes: meta.sizes,
    durationMs: performance.now() - startedAt,
    skipped,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}
