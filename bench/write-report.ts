/**
 * `npm run bench:report [RESULTS] [--out DIR]`: turns bench/results.json (written by
 * `npm run bench`) into docs/PERFORMANCE.md and its charts under docs/performance/*.svg.
 * Every figure in the page comes from the results file; nothing is typed in by hand.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatSize } from "./bench-options.js";
import { fmt, type BenchResults, type BenchRow } from "./report.js";
import { barChart, lineChart, type LineSeries } from "./svg-chart.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A chart written beside the page: its file name and SVG text. */
interface Chart {
  file: string;
  svg: string;
}

/** Rows of one chart, by series, sorted by x. */
function curve(rows: readonly BenchRow[], chart: string): Map<string, BenchRow[]> {
  const bySeries = new Map<string, BenchRow[]>();
  for (const row of rows) {
    if (row.curve?.chart !== chart) continue;
    const list = bySeries.get(row.curve.series) ?? [];
    list.push(row);
    bySeries.set(row.curve.series, list);
  }
  for (const list of bySeries.values()) list.sort((a, b) => (a.curve?.x ?? 0) - (b.curve?.x ?? 0));
  return bySeries;
}

function series(bySeries: Map<string, BenchRow[]>, value: (row: BenchRow) => number | undefined): LineSeries[] {
  return [...bySeries].map(([name, rows]) => ({
    name,
    points: rows.flatMap((r) => {
      const y = value(r);
      return y === undefined ? [] : [{ x: r.curve?.x ?? 0, y }];
    }),
  }));
}

const ms = (n: number | undefined) => (n === undefined ? "–" : `${fmt(n)} ms`);
const rate = (n: number | undefined) =>
  n === undefined ? "–" : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k/s` : `${fmt(n)}/s`;
/** A figure with its unit, rates in k / M. */
const value = (n: number | undefined, unit: string) => {
  if (n === undefined) return "–";
  if (!unit.endsWith("/s")) return `${fmt(n)} ${unit}`;
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M ${unit}` : n >= 1e4 ? `${(n / 1e3).toFixed(1)} k ${unit}` : `${fmt(n)} ${unit}`;
};
const ratio = (n: number | undefined) => (n === undefined ? "–" : `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×`);
const mark = (met: boolean | undefined) => (met === undefined ? "–" : met ? "✅ met" : "❌ not met");
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A Markdown table. */
function table(head: string[], body: string[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** The operation part of a row name ("getSkill @ 10k" → "getSkill"). */
const opOf = (row: BenchRow) => row.curve?.series ?? row.name.replace(/ @ .*$/, "");

/** The machine section. */
function machineSection(r: BenchResults): string {
  const m = r.machine;
  const minutes = r.durationMs === undefined ? "–" : `${(r.durationMs / 60_000).toFixed(1)} min`;
  return [
    "## The machine and the run",
    "",
    table(
      ["", ""],
      [
        ["date", r.date],
        ["CPU", `${m.cpu}, ${m.cpus} cores`],
        ["memory", `${m.memoryGb} GB`],
        ["Node.js", m.node],
        ["OS", `${m.platform} ${m.osRelease ?? ""}`.trim()],
        ["load average at start (1 min)", m.loadAverageAtStart === undefined ? "–" : m.loadAverageAtStart.toFixed(2)],
        ["library sizes", (r.sizes ?? []).map(formatSize).join(", ") || "–"],
        ["whole run", minutes],
      ],
    ),
    "",
    "The development machines are shared (other jobs run on the same cores), so absolute figures move",
    "from run to run; every comparison below is a ratio against a baseline or peer measured **in the",
    "same run**, mostly in alternating rounds.",
  ].join("\n");
}

/** Peer rows of one pair grouped for the target check: which operations we must win. */
const MUST_WIN: { op: RegExp; label: string }[] = [
  { op: /^get \(ours uncached\)/, label: "get (store read)" },
  { op: /^get \(ours cached\)/, label: "get (our cache)" },
  { op: /^search/, label: "search" },
  { op: /^put single/, label: "put (single)" },
  { op: /^put batch/, label: "put (batch)" },
];

/** The targets section: every row with a target, then "faster than LangGraph" per pair and operation. */
function targetsSection(rows: readonly BenchRow[]): string {
  const body = rows
    .filter((r) => r.target)
    .map((r) => [
      `${r.suite}: ${r.name}`,
      r.target as string,
      `${value(r.ours, r.unit)}${r.extra?.["p99"] !== undefined ? ` (p99 ${fmt(r.extra["p99"])} ms)` : ""}`,
      r.ratio === undefined ? "–" : `${ratio(r.ratio)} of ${r.baselineName}`,
      mark(r.met),
    ]);
  for (const suite of [...new Set(rows.filter((r) => r.suite.startsWith("peers-")).map((r) => r.suite))]) {
    const peerRows = rows.filter((r) => r.suite === suite);
    const peer = peerRows[0]?.baselineName ?? suite;
    for (const { op, label } of MUST_WIN) {
      const matching = peerRows.filter((r) => op.test(r.name) && r.ratio !== undefined);
      if (matching.length === 0) continue;
      const worst = Math.min(...matching.map((r) => r.ratio as number));
      body.push([
        `faster than ${peer}: ${label}`,
        "ratio ours/theirs > 1 at every size",
        matching.map((r) => `${formatSize(r.size ?? 0)}: ${ratio(r.ratio)}`).join(", "),
        `worst ${ratio(worst)}`,
        mark(worst > 1),
      ]);
    }
  }
  return ["## Targets", "", table(["what", "target", "measured", "against", "status"], body)].join("\n");
}

/** A chart label for a peer operation. */
function shortOp(op: string): string {
  return op.replace("get (ours cached)", "get cached").replace("get (ours uncached)", "get uncached").replace("search text + category filter", "search+filter").replace("list by category (no query)", "list by category");
}

/** The peer section for one pair: table, chart of ratios, notes. */
function peerSection(rows: readonly BenchRow[], suite: string, charts: Chart[]): string {
  const peerRows = rows.filter((r) => r.suite === suite);
  if (peerRows.length === 0) return "";
  const peer = peerRows[0]?.baselineName ?? suite;
  const ours = suite === "peers-postgres" ? "ours on PostgreSQL" : "ours on a SQLite file";
  const body = peerRows.map((r) => [
    opOf(r),
    formatSize(r.size ?? 0),
    `${rate(r.ours)}${r.extra?.["p50"] !== undefined ? ` (p50 ${ms(r.extra["p50"])}, p99 ${ms(r.extra["p99"])})` : ""}`,
    `${rate(r.baseline)}${r.extra?.["baselineP50"] !== undefined ? ` (p50 ${ms(r.extra["baselineP50"])}, p99 ${ms(r.extra["baselineP99"])})` : ""}`,
    `**${ratio(r.ratio)}**`,
  ]);
  const file = `${suite}.svg`;
  const ops = [...new Set(peerRows.map(opOf))];
  charts.push({
    file,
    svg: barChart(
      ops.map((op) => ({ label: shortOp(op), bars: peerRows.filter((r) => opOf(r) === op).map((r) => ({ series: `${formatSize(r.size ?? 0)} skills`, value: r.ratio ?? Number.NaN })) })),
      { title: `${ours} vs ${peer}: throughput ratio`, yLabel: "ours / theirs (log; > 1: we are faster)", logY: true, reference: { value: 1, label: "as fast" }, barBase: 1, barLabels: true, width: 860 },
    ),
  });
  const notes = [...new Set(peerRows.filter((r) => r.note).map((r) => `- **${opOf(r)}**: ${r.note}`))];
  return [
    `### ${ours} vs ${peer}`,
    "",
    table(["operation", "skills", "ours", "theirs", "ours / theirs"], body),
    "",
    `![${ours} vs ${peer}](performance/${file})`,
    "",
    ...notes,
  ].join("\n");
}

/** The capability table (what the peers do not offer). */
function featureSection(r: BenchResults): string {
  if (!r.features?.length) return "";
  const peers = [...new Set(r.features.flatMap((f) => Object.keys(f.peers)))];
  return [
    "### What they do not offer (and what they do)",
    "",
    table(["capability", "ours", ...peers], r.features.map((f) => [f.feature, f.ours, ...peers.map((p) => f.peers[p] ?? "–")])),
  ].join("\n");
}

/** Scaling: growth, agents, processes, memory. */
function scalingSection(rows: readonly BenchRow[], charts: Chart[]): string {
  const out: string[] = ["## Scaling (SQLite file)"];
  const growth = curve(rows, "growth");
  if (growth.size > 0) {
    const sizes = [...new Set([...growth.values()].flat().map((r) => r.size ?? 0))].sort((a, b) => a - b);
    const body = [...growth].map(([op, list]) => [op, ...sizes.map((s) => {
      const r = list.find((x) => x.size === s);
      return r ? `${ms(r.ours)} / ${ms(r.extra?.["p99"])} / ${rate(r.extra?.["opsPerSec"])}` : "–";
    })]);
    const loads = curve(rows, "growth-throughput");
    for (const [name, list] of loads) body.push([name, ...sizes.map((s) => rate(list.find((x) => x.size === s)?.ours).replace("/s", ""))]);
    charts.push({ file: "growth-latency.svg", svg: lineChart(series(growth, (r) => r.ours), { title: "p50 latency as the library grows (one agent)", xLabel: "skills in the library", yLabel: "p50 latency, ms (log)", logX: true, logY: true }) });
    charts.push({
      file: "growth-throughput.svg",
      svg: lineChart([...series(growth, (r) => r.extra?.["opsPerSec"]), ...series(loads, (r) => r.ours)], { title: "Throughput as the library grows (one agent)", xLabel: "skills in the library", yLabel: "calls/s (log)", logX: true, logY: true }),
    });
    out.push(
      "",
      "### As the library grows",
      "",
      "One agent, calls one after another; `getSkill` and `searchSkills` with `useCache: false` (the store does the work),",
      "`addSkill` of new skills, `executeSkill` of a generated skill (warm sandbox, run recorded). Each size runs in a",
      "process of its own. Cells: p50 / p99 / calls per second.",
      "",
      table(["operation", ...sizes.map((s) => `${formatSize(s)} skills`)], body),
      "",
      "![p50 latency as the library grows](performance/growth-latency.svg)",
      "",
      "![throughput as the library grows](performance/growth-throughput.svg)",
    );
  }
  for (const [chart, title, xName, one] of [
    ["agents", "Concurrent async agents (one process, one library)", "async agents", "async agent"],
    ["processes", "Agent processes (one library each, one SQLite file)", "processes", "process"],
  ] as const) {
    const bySeries = curve(rows, chart);
    if (bySeries.size === 0) continue;
    const xs = [...new Set([...bySeries.values()].flat().map((r) => r.curve?.x ?? 0))].sort((a, b) => a - b);
    const size = [...bySeries.values()][0]?.[0]?.size;
    const body = [...bySeries].map(([op, list]) => [op, ...xs.map((x) => {
      const r = list.find((y) => y.curve?.x === x);
      return r ? `${ms(r.ours)} / ${ms(r.extra?.["p99"])} / ${rate(r.extra?.["opsPerSec"])}` : "–";
    })]);
    charts.push({ file: `${chart}-throughput.svg`, svg: lineChart(series(bySeries, (r) => r.extra?.["opsPerSec"]), { title: `Throughput with more ${xName} (${formatSize(size ?? 0)} skills)`, xLabel: xName, yLabel: "calls/s, all together (log)", logX: true, logY: true }) });
    charts.push({ file: `${chart}-p99.svg`, svg: lineChart(series(bySeries, (r) => r.extra?.["p99"]), { title: `p99 latency with more ${xName} (${formatSize(size ?? 0)} skills)`, xLabel: xName, yLabel: "p99 latency, ms (log)", logX: true, logY: true }) });
    out.push(
      "",
      `### ${title}`,
      "",
      `${size === undefined ? "" : `${formatSize(size)} skills. `}Cells: p50 / p99 / calls per second of all ${xName} together.`,
      "",
      table(["operation", ...xs.map((x) => `${x} ${x === 1 ? one : xName}`)], body),
      "",
      `![throughput with more ${xName}](performance/${chart}-throughput.svg)`,
      "",
      `![p99 latency with more ${xName}](performance/${chart}-p99.svg)`,
    );
  }
  const memory = curve(rows, "memory");
  if (memory.size > 0) {
    const sizes = [...new Set([...memory.values()].flat().map((r) => r.size ?? 0))].sort((a, b) => a - b);
    const body = [...memory].map(([name, list]) => [name, ...sizes.map((s) => {
      const r = list.find((x) => x.size === s);
      if (!r) return "–";
      const raw = r.extra?.[name.startsWith("heap") ? "heapDeltaMb" : "rssDeltaMb"];
      return `${fmt(r.ours)} MB${raw === undefined ? "" : ` (${fmt(raw)} MB in all)`}`;
    })]);
    charts.push({
      file: "memory.svg",
      svg: barChart(sizes.map((s) => ({ label: `${formatSize(s)} skills`, bars: [...memory].map(([name, list]) => ({ series: name, value: list.find((x) => x.size === s)?.ours ?? Number.NaN })) })), { title: "Memory per 10k skills (delta over an empty library)", yLabel: "MB per 10k skills", barLabels: true, width: 860 }),
    });
    out.push(
      "",
      "### Memory per 10k skills",
      "",
      "Heap and RSS of a process holding a library, minus the same process before the library was opened (after a",
      "small library had loaded the modules and search data every library shares), after a full GC; scaled to 10k skills.",
      "\"after search\" is after the `getSkill` and `searchSkills` rows above ran. RSS also counts SQLite's page cache and",
      "freed memory the allocator has not returned; small libraries magnify fixed costs.",
      "",
      table(["measure", ...sizes.map((s) => `${formatSize(s)} skills`)], body),
      "",
      "![memory per 10k skills](performance/memory.svg)",
    );
  }
  return out.join("\n");
}

/** Every row of the suites the other sections do not show, as recorded. */
function otherRowsSection(rows: readonly BenchRow[]): string {
  const shown = (r: BenchRow) => r.suite.startsWith("peers-") || ["scaling", "agents", "processes"].includes(r.suite);
  const suites = [...new Set(rows.filter((r) => !shown(r)).map((r) => r.suite))];
  const out = ["## Store and sandbox rows", "", "Each against its raw baseline in the same run (ratio > 1: ours is faster)."];
  for (const suite of suites) {
    out.push("", `### ${suite}`, "");
    out.push(
      table(
        ["benchmark", "ours", "baseline (same run)", "ratio", "target"],
        rows
          .filter((r) => r.suite === suite)
          .map((r) => [r.name, value(r.ours, r.unit), r.baseline === undefined ? "–" : `${r.baselineName}: ${value(r.baseline, r.unit)}`, ratio(r.ratio), r.target ? `${r.target}: ${mark(r.met)}` : "–"]),
      ),
    );
  }
  return out.join("\n");
}

const RERUN = [
  "## How to rerun",
  "",
  "```sh",
  "npm run bench                                  # every suite, sizes 1k, 10k, 100k; writes bench/results.json",
  "npm run bench:report                           # writes this page and docs/performance/*.svg",
  "BENCH_SIZES=1k,10k npm run bench               # other sizes (or: npm run bench -- --sizes=1k,10k)",
  "npm run bench -- --only=peers,scaling          # some suites: store, exec, postgres, peers, scaling",
  "npm run bench -- --pg-max=1k --out=/tmp/r.json # PostgreSQL rows up to 1k skills; results elsewhere",
  "```",
  "",
  "PostgreSQL rows use `SKILL_LIBRARY_BENCH_PG_URL` (else `SKILL_LIBRARY_TEST_PG_URL`, else",
  "`postgres://postgres@127.0.0.1:5432/test`), each in a fresh schema dropped afterwards; without a server they are",
  "skipped and listed as such. The peer search uses a deterministic test embedder (`bench/test-embedder.ts`: a hashed",
  "bag of word stems, 128 dimensions) on both sides; it measures the stores, not the quality of an embedding model.",
].join("\n");

/** Builds the page and its charts from results. */
export function buildReport(r: BenchResults, source = "bench/results.json"): { markdown: string; charts: Chart[] } {
  const charts: Chart[] = [];
  const peerSuites = [...new Set(r.rows.filter((x) => x.suite.startsWith("peers-")).map((x) => x.suite))];
  const sections = [
    "# Performance",
    "",
    `> Generated by \`npm run bench:report\` from \`${source}\` (the run of ${r.date}). Do not edit by hand: rerun.`,
    "",
    machineSection(r),
    "",
    targetsSection(r.rows),
    "",
    "## Against LangGraph's stores (same data, same calls, same run)",
    "",
    "Throughput ratio ours / theirs: above 1 we are faster. Generated skills of realistic text (`bench/generate-skills.ts`);",
    "the same skills loaded into both sides; the text search filters on one of ten categories and asks for the top 10.",
    ...peerSuites.flatMap((s) => ["", peerSection(r.rows, s, charts)]),
    "",
    featureSection(r),
    "",
    scalingSection(r.rows, charts),
    "",
    otherRowsSection(r.rows),
  ];
  if (r.skipped?.length) sections.push("", "## Skipped in this run", "", ...r.skipped.map((s) => `- ${s}`));
  sections.push("", RERUN, "");
  return { markdown: sections.join("\n"), charts };
}

/** Reads the results file and writes the page and the charts. */
export function writeReport(resultsFile: string, docsDir: string): void {
  const results = JSON.parse(readFileSync(resultsFile, "utf8")) as BenchResults;
  const { markdown, charts } = buildReport(results, relative(REPO, resultsFile));
  mkdirSync(join(docsDir, "performance"), { recursive: true });
  for (const chart of charts) writeFileSync(join(docsDir, "performance", chart.file), chart.svg);
  writeFileSync(join(docsDir, "PERFORMANCE.md"), markdown);
  console.log(`wrote ${relative(process.cwd(), join(docsDir, "PERFORMANCE.md"))} and ${charts.length} charts from ${relative(process.cwd(), resultsFile)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  let docs = join(REPO, "docs");
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--out") docs = resolve(process.cwd(), args[++i] ?? "docs");
    else if (arg.startsWith("--out=")) docs = resolve(process.cwd(), arg.slice("--out=".length));
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}; usage: bench:report [RESULTS] [--out DOCS_DIR]`);
    else file = arg;
  }
  writeReport(file ? resolve(process.cwd(), file) : join(REPO, "bench", "results.json"), docs);
}
