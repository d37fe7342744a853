/** The suites `npm run bench` knows, in the order it runs them. */
export const SUITES = ["store", "exec", "postgres", "peers", "scaling"] as const;

/** One suite of `npm run bench`. */
export type Suite = (typeof SUITES)[number];

/** What `npm run bench` was asked to do. */
export interface BenchOptions {
  /** Library sizes (skills) for the peer and scaling suites. @default [1000, 10000, 100000] */
  sizes: number[];
  /** Largest size run against PostgreSQL (ours and LangGraph's PostgresStore). @default 10000 */
  postgresMaxSize: number;
  /** Suites to run. @default every suite */
  suites: Suite[];
  /** Where the results go. @default "bench/results.json" */
  out: string | undefined;
}

/** The sizes run when nothing else is asked. */
export const DEFAULT_SIZES = [1_000, 10_000, 100_000];

/**
 * Reads a size: `1000`, `10k`, `100k`, `1m`, `1_000`.
 *
 * @example parseSize("10k") // 10000
 */
export function parseSize(text: string): number {
  const match = /^(\d[\d_]*)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad size "${text}": use a whole number such as 1000, 10k or 100k`);
  const base = Number((match[1] as string).replaceAll("_", ""));
  const unit = (match[2] ?? "").toLowerCase();
  return base * (unit === "k" ? 1_000 : unit === "m" ? 1_000_000 : 1);
}

/** Reads a comma-separated list of sizes (`"1k,10k"`), sorted, without repeats. */
export function parseSizes(text: string): number[] {
  const sizes = [...new Set(text.split(",").filter((s) => s.trim() !== "").map(parseSize))].sort((a, b) => a - b);
  if (sizes.length === 0) throw new Error("BENCH_SIZES / --sizes names no size");
  return sizes;
}

/**
 * The options from the command line (`--sizes=1k,10k`, `--pg-max=10k`, `--only=peers,scaling`,
 * `--out=FILE`) and the environment (`BENCH_SIZES`, `BENCH_PG_MAX`, `BENCH_ONLY`, `BENCH_OUT`);
 * flags win.
 *
 * @example
 * ```sh
 * BENCH_SIZES=1k,10k npm run bench
 * npm run bench -- --only=peers --sizes=1k
 * ```
 */
export function benchOptions(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let sizes = env["BENCH_SIZES"];
  let pgMax = env["BENCH_PG_MAX"];
  let only = env["BENCH_ONLY"];
  let out = env["BENCH_OUT"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--sizes") sizes = value();
    else if (flag === "--pg-max") pgMax = value();
    else if (flag === "--only") only = value();
    else if (flag === "--out") out = value();
    else throw new Error(`unknown option ${arg}; usage: npm run bench -- [--sizes=1k,10k,100k] [--pg-max=10k] [--only=${SUITES.join(",")}] [--out=FILE]`);
  }
  const suites = only ? only.split(",").map((s) => s.trim()).filter(Boolean) : [...SUITES];
  for (const suite of suites) if (!(SUITES as readonly string[]).includes(suite)) throw new Error(`unknown suite "${suite}"; known: ${SUITES.join(", ")}`);
  return {
    sizes: sizes ? parseSizes(sizes) : DEFAULT_SIZES,
    postgresMaxSize: pgMax ? parseSize(pgMax) : 10_000,
    suites: suites as Suite[],
    out,
  };
}

/**
 * A size as people say it.
 *
 * @example formatSize(10_000) // "10k"
 */
export function formatSize(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}
