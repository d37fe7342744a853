/**
 * Where the entry script of a child process or worker thread is, built or not (the sandbox's
 * members, the SQLite batch writer).
 *
 * After `tsc` the modules are `.js` files in `dist/` and their entry scripts sit next to them
 * (`dist/exec/sandbox/isolated-vm/ivm-child.js`): that is the path used in production.
 *
 * When the TypeScript sources themselves run (vitest, tsx), there is no `.js` next to them. A
 * child is not started through a TypeScript loader (tsx in every child process and worker costs
 * ~1 s of start-up and CPU that starves the host, which made kill timings flaky); instead the host
 * transpiles the source tree once (TypeScript's `transpileModule`, a dev dependency) into
 * `node_modules/.cache/skill-library-src/<hash of the sources>/` and starts children from
 * there. The hash makes a stale copy impossible; tests always run the current sources.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** An entry script. */
export interface EntryScript {
  /** Absolute path of the `.js` script. */
  path: string;
  /** `file:` URL of the script. */
  url: URL;
}

/** The folder of this module: the root of the sources (or of their build). */
const SOURCE_DIR = dirname(fileURLToPath(import.meta.url));
let transpiled: Promise<string> | undefined;

/**
 * Resolves the script `./<baseName>.js` next to `moduleUrl` (built), or its transpiled copy when
 * `moduleUrl` is a TypeScript source.
 * @param moduleUrl - `import.meta.url` of the module that starts the child.
 * @param baseName - the script's name without extension, e.g. `"ivm-child"`.
 */
export async function resolveEntryScript(moduleUrl: string, baseName: string): Promise<EntryScript> {
  const modulePath = fileURLToPath(moduleUrl);
  if (!modulePath.endsWith(".ts")) {
    const url = new URL(`./${baseName}.js`, moduleUrl);
    return { path: fileURLToPath(url), url };
  }
  transpiled ??= transpileSources();
  const path = join(await transpiled, relative(SOURCE_DIR, dirname(modulePath)), `${baseName}.js`);
  return { path, url: pathToFileURL(path) };
}

/** Transpiles every `.ts` file of the source tree into a cache folder named by their hash. */
async function transpileSources(): Promise<string> {
  const files = listSources(SOURCE_DIR);
  const hash = createHash("sha256");
  const sources = files.map((file) => {
    const text = readFileSync(file, "utf8");
    hash.update(relative(SOURCE_DIR, file)).update("\0").update(text).update("\0");
    return { file, text };
  });
  const require = createRequire(import.meta.url);
  hash.update(readFileSync(require.resolve("typescript/package.json")));
  const outDir = join(cacheRoot(), hash.digest("hex").slice(0, 16));
  if (existsSync(join(outDir, "package.json"))) return outDir;
  const imported = await import("typescript");
  // A CommonJS module: its API is the default export at run time.
  const ts = (imported as { default?: typeof imported }).default ?? imported;
  const staging = `${outDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  for (const { file, text } of sources) {
    const target = join(staging, relative(SOURCE_DIR, file)).replace(/\.ts$/, ".js");
    const output = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  writeFileSync(join(staging, "package.json"), '{ "type": "module" }\n');
  try {
    renameSync(staging, outDir);
  } catch (error) {
    // Another process (a parallel test file) finished the same copy first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(outDir, "package.json"))) throw error;
  }
  return outDir;
}

function listSources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listSources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found.sort();
}

/** `node_modules/.cache/skill-library-src` of the project (so bare imports resolve from there). */
function cacheRoot(): string {
  const dependency = createRequire(import.meta.url).resolve("quickjs-emscripten");
  const marker = `${sep}node_modules${sep}`;
  const at = dependency.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot find the node_modules folder of ${dependency}`);
  return join(dependency.slice(0, at), "node_modules", ".cache", "skill-library-src");
}
