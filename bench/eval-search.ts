/**
 * `npm run eval:search [FILE] [--store URL] [--scale N] [--verbose]`: search quality on a
 * labelled data set, ours against a MiniSearch baseline in the same run.
 *
 * FILE (default `../shared/eval/search-dev.json` from the repo root) holds
 * `{ skills: SkillInput[], queries: { query, relevant: string[], kind }[] }`. The skills go
 * into a fresh store (`:memory:` unless `--store` names one, e.g. `postgres://…?schema=eval`),
 * every query runs through `searchSkills(query, { limit: 10, useCache: false })`, and the
 * figures are printed overall and per query kind: recall@1, recall@5 (the share of a query's
 * relevant skills in the top k, averaged over queries), MRR (1 / rank of the first relevant
 * skill, 0 past the top 10), and the latency p50 / p99 of one search. `--scale N` also times
 * searches over N generated skills (the bench's data), `--verbose` lists every query whose
 * first relevant skill is not ranked first.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import MiniSearch from "minisearch";
import { openSkillLibrary, type SkillInput } from "../src/index.js";

/** One labelled query. */
export interface EvalQuery {
  query: string;
  relevant: string[];
  kind: string;
}

/** A labelled data set. */
export interface EvalSet {
  skills: SkillInput[];
  queries: EvalQuery[];
}

/** Quality figures of one group of queries. */
export interface Figures {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
}

/** What one engine returned for each query, in query order. */
export type Rankings = string[][];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The default data set: `../shared/eval/search-dev.json` next to the repo. */
export const DEFAULT_EVAL_FILE = resolve(REPO_ROOT, "../shared/eval/search-dev.json");

/** Reads a data set. */
export function loadEvalSet(file: string): EvalSet {
  const data = JSON.parse(readFileSync(file, "utf8")) as EvalSet;
  if (!Array.isArray(data.skills) || !Array.isArray(data.queries)) throw new Error(`${file}: expected { skills: [...], queries: [...] }`);
  return data;
}

/** Recall@1, recall@5 and MRR of `rankings` against the labels, over the queries chosen. */
export function figures(queries: readonly EvalQuery[], rankings: Rankings, chosen: (q: EvalQuery) => boolean = () => true): Figures {
  let n = 0;
  let r1 = 0;
  let r5 = 0;
  let rr = 0;
  queries.forEach((q, i) => {
    if (!chosen(q)) return;
    const ranked = rankings[i] ?? [];
    const relevant = new Set(q.relevant);
    const within = (k: number) => ranked.slice(0, k).filter((id) => relevant.has(id)).length / Math.max(1, relevant.size);
    n++;
    r1 += within(1);
    r5 += within(5);
    const first = ranked.slice(0, 10).findIndex((id) => relevant.has(id));
    rr += first < 0 ? 0 : 1 / (first + 1);
  });
  return { queries: n, recallAt1: n ? r1 / n : 0, recallAt5: n ? r5 / n : 0, mrr: n ? rr / n : 0 };
}

/** p50 / p99 of a list of times (ms). */
export function percentiles(times: readonly number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Runs every query through the library on a fresh store; rankings and per-search times (ms). */
export async function evaluateLibrary(data: EvalSet, store = ":memory:", rounds = 3): Promise<{ rankings: Rankings; times: number[]; extra: number }> {
  const library = await openSkillLibrary({ store });
  try {
    const outcome = await library.batchAddSkills(data.skills);
    const refused = Object.entries(outcome).filter(([, ok]) => !ok).map(([id]) => id);
    if (refused.length > 0) throw new Error(`the store refused ${refused.length} skills: ${refused.slice(0, 5).join(", ")}`);
    const all = await library.listSkills({ limit: Number.POSITIVE_INFINITY });
    const rankings: Rankings = [];
    for (const q of data.queries) rankings.push((await library.searchSkills(q.query, { limit: 10, useCache: false })).map((s) => s.id));
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const q of data.queries) {
        const started = performance.now();
        await library.searchSkills(q.query, { limit: 10, useCache: false });
        times.push(performance.now() - started);
      }
    }
    return { rankings, times, extra: all.length - data.skills.length };
  } finally {
    await library.close();
  }
}

/** The baseline: MiniSearch with prefix and fuzzy (0.2) search, boosts name 3, tags 2, description 1. */
export function evaluateMiniSearch(data: EvalSet, rounds = 3): { rankings: Rankings; times: number[] } {
  const mini = new MiniSearch<{ id: string; name: string; description: string; tags: string }>({
    fields: ["name", "description", "tags"],
    searchOptions: { prefix: true, fuzzy: 0.2, boost: { name: 3, tags: 2, description: 1 } },
  });
  mini.addAll(data.skills.map((s) => ({ id: s.id, name: s.name, description: s.description, tags: (s.tags ?? []).join(" ") })));
  const run = (query: string) => mini.search(query).slice(0, 10).map((r) => String(r.id));
  const rankings = data.queries.map((q) => run(q.query));
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const q of data.queries) {
      const started = performance.now();
      run(q.query);
      times.push(performance.now() - started);
    }
  }
  return { rankings, times };
}

/** Search latency over `count` generated skills (the bench's data and queries). */
async function timeAtScale(count: number, store: string): Promise<{ p50: number; p99: number }> {
  const { generateSkills } = await import("./generate-skills.js");
  const { skills, queries } = generateSkills(count);
  const library = await openSkillLibrary({ store });
  try {
    await library.batchAddSkills(skills);
    for (const q of queries.slice(0, 50)) await library.searchSkills(q, { useCache: false });
    const times: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const q of queries) {
        const started = performance.now();
        await library.searchSkills(q, { useCache: false });
        times.push(performance.now() - started);
      }
    }
    return percentiles(times);
  } finally {
    await library.close();
  }
}

function parseArgs(argv: readonly string[]): { file: string; store: string; scale: number; verbose: boolean } {
  let file = DEFAULT_EVAL_FILE;
  let store = ":memory:";
  let scale = 0;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--store") store = argv[++i] ?? store;
    else if (arg.startsWith("--store=")) store = arg.slice("--store=".length);
    else if (arg === "--scale") scale = Number(argv[++i]);
    else if (arg.startsWith("--scale=")) scale = Number(arg.slice("--scale=".length));
    else if (arg === "--verbose" || arg === "-v") verbose = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}; usage: eval-search [FILE] [--store URL] [--scale N] [--verbose]`);
    else file = resolve(process.cwd(), arg);
  }
  if (!Number.isInteger(scale) || scale < 0) throw new Error("--scale takes a whole number of skills");
  return { file, store, scale, verbose };
}

async function main(): Promise<void> {
  const { file, store, scale, verbose } = parseArgs(process.argv.slice(2));
  const data = loadEvalSet(file);
  const ours = await evaluateLibrary(data, store);
  const mini = evaluateMiniSearch(data);
  const shown = store.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  console.log(`search quality: ${data.skills.length} skills, ${data.queries.length} queries (${file}), store ${shown}`);
  if (ours.extra > 0) console.log(`WARNING: the store already held ${ours.extra} other skills; use a fresh store (e.g. ?schema=NEW) for comparable figures`);
  const kinds = [...new Set(data.queries.map((q) => q.kind))];
  const pct = (x: number) => x.toFixed(3);
  console.log("");
  console.log(`${"kind".padEnd(12)} ${"n".padStart(3)}  ${"ours R@1".padStart(8)} ${"R@5".padStart(6)} ${"MRR".padStart(6)}  |  ${"mini R@1".padStart(8)} ${"R@5".padStart(6)} ${"MRR".padStart(6)}`);
  for (const kind of [...kinds, "overall"]) {
    const chosen = (q: EvalQuery) => kind === "overall" || q.kind === kind;
    const a = figures(data.queries, ours.rankings, chosen);
    const b = figures(data.queries, mini.rankings, chosen);
    console.log(
      `${kind.padEnd(12)} ${String(a.queries).padStart(3)}  ${pct(a.recallAt1).padStart(8)} ${pct(a.recallAt5).padStart(6)} ${pct(a.mrr).padStart(6)}  |  ${pct(b.recallAt1).padStart(8)} ${pct(b.recallAt5).padStart(6)} ${pct(b.mrr).padStart(6)}`,
    );
  }
  const lo = percentiles(ours.times);
  const lm = percentiles(mini.times);
  console.log("");
  console.log(`latency of one search (${data.skills.length} skills): ours p50 ${lo.p50.toFixed(3)} ms, p99 ${lo.p99.toFixed(3)} ms  |  minisearch p50 ${lm.p50.toFixed(3)} ms, p99 ${lm.p99.toFixed(3)} ms`);
  if (scale > 0) {
    const at = await timeAtScale(scale, store === ":memory:" ? ":memory:" : store);
    console.log(`latency of one search (${scale} generated skills): ours p50 ${at.p50.toFixed(3)} ms, p99 ${at.p99.toFixed(3)} ms`);
  }
  if (verbose) {
    console.log("");
    data.queries.forEach((q, i) => {
      const ranked = ours.rankings[i] ?? [];
      const rank = ranked.findIndex((id) => q.relevant.includes(id));
      if (rank === 0) return;
      console.log(`[${q.kind}] "${q.query}" → ${q.relevant.join(", ")} at ${rank < 0 ? "-" : rank + 1}; top: ${ranked.slice(0, 3).join(", ")}`);
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
