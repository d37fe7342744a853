/** `skill-library add FILE|DIR`: a JSON file of one skill or an array, or SKILL.md folders. */
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { importSkills } from "../../agent-skills/import-skills.js";
import { saveSkills, type SaveCandidate } from "../../agent-skills/save-skills.js";
import { InvalidArgumentError, type SkillInput } from "../../index.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { printSaveReport } from "../print-report.js";
import { progressBar } from "../progress.js";

/** Fields of a stored skill (`get --json`) that are not input: dropped, so its output can be added back. */
const OUTPUT_ONLY = ["version", "createdAt", "updatedAt", "stats"];

/** Registers `add`. */
export function registerAddCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("add")
      .argument("<path>", "a JSON file (one skill or an array of skills) or a SKILL.md folder (or a folder of them)")
      .summary("add or update skills from a JSON file or SKILL.md folders")
      .description("add or update skills from a JSON file (one skill or an array) or SKILL.md folders; a changed skill gets a new version, an unchanged one is skipped; exit code 1 when any is refused"),
    "skill-library add ./greet.json",
    "skill-library add ./skills/pdf-tools",
  ).action(async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new InvalidArgumentError("path", `"${path}" does not exist; give a JSON file or a SKILL.md folder`);
    await cli.withLibrary(async (library) => {
      if (info.isDirectory()) {
        const progress = progressBar("importing", !cli.options.json);
        const report = await importSkills(library, path, { onProgress: (done, total) => progress.update(done, total) }).finally(() => progress.stop());
        return printSaveReport(cli, report, "added");
      }
      const report = await saveSkills(library, await readSkillFile(path));
      return printSaveReport(cli, report, "added");
    });
  });
}

async function readSkillFile(path: string): Promise<SaveCandidate[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InvalidArgumentError("path", `"${path}" is not a JSON file (${error instanceof Error ? error.message : String(error)})`);
  }
  const name = basename(path);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((skill, index) => ({ source: Array.isArray(parsed) ? `${name}[${index}]` : name, skill: inputOf(skill) }));
}

function inputOf(value: unknown): SkillInput {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value as SkillInput;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !OUTPUT_ONLY.includes(key))) as unknown as SkillInput;
}
