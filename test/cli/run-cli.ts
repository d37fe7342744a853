/** Runs the built CLI (`node dist/cli/main.js …`) as a child process, for the CLI and MCP tests. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built CLI; `npm test` builds it before vitest runs. */
export const CLI = join(ROOT, "dist", "cli", "main.js");

/** Throws a clear message when dist/ was not built. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
}

/** What a CLI run printed and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/main.js ...args` and waits for it to exit. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env["SKILL_LIBRARY_URL"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh temporary folder. */
export function tempDir(prefix = "skill-library-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh store file path in its own temporary folder. */
export function tempStore(): string {
  return join(tempDir(), "skills.db");
}
