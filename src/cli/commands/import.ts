/** `skill-library import DIR`: Agent Skills (SKILL.md) folders into the library. */
import type { Command } from "commander";
import { importSkills } from "../../agent-skills/import-skills.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { printSaveReport } from "../print-report.js";
import { progressBar } from "../progress.js";

/** Registers `import`. */
export function registerImportCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("import")
      .argument("<dir>", "a folder of skill folders, or one skill folder (each with a SKILL.md)")
      .summary("import Agent Skills (SKILL.md) folders")
      .description("import Agent Skills folders: each is checked, a changed skill saved as a new version, an unchanged one skipped; exit code 1 when any is refused"),
    "skill-library import ./skills",
    "skill-library import ./skills/pdf-tools --json",
  ).action(async (dir: string) => {
    await cli.withLibrary(async (library) => {
      const progress = progressBar("importing", !cli.options.json);
      const report = await importSkills(library, dir, { onProgress: (done, total) => progress.update(done, total) }).finally(() => progress.stop());
      if (report.added.length + report.updated.length + report.unchanged.length + report.refused.length === 0) {
        cli.warn(`no skill folders (folders with a SKILL.md) in ${dir}`);
      }
      return printSaveReport(cli, report, "imported");
    });
  });
}
