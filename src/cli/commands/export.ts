/** `skill-library export DIR`: one spec-valid Agent Skills folder per skill. */
import type { Command } from "commander";
import { exportSkills } from "../../agent-skills/export-skills.js";
import { EXIT_FAILED, withExamples, type CliRuntime } from "../cli-runtime.js";
import { progressBar } from "../progress.js";

/** Registers `export`. */
export function registerExportCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("export")
      .argument("<dir>", "the folder to write to (created when missing)")
      .argument("[ids...]", "only these skills (default: every skill)")
      .summary("export skills as Agent Skills (SKILL.md) folders")
      .description("write each skill as an Agent Skills folder (SKILL.md + files); importing it back gives the same content hash"),
    "skill-library export ./exported",
    "skill-library export ./exported nav_login_generic fill_form",
  ).action(async (dir: string, ids: string[]) => {
    await cli.withLibrary(async (library) => {
      const progress = progressBar("exporting", !cli.options.json);
      const report = await exportSkills(library, dir, {
        ...(ids.length > 0 ? { ids } : {}),
        onProgress: (done, total) => progress.update(done, total),
      }).finally(() => progress.stop());
      for (const warning of report.warnings) cli.warn(`${warning.id}: ${warning.message}`);
      for (const failed of report.failed) cli.problem(`${failed.id}: ${failed.problems.join("; ")}`);
      cli.print(
        () => [
          ...report.exported.map((e) => `exported  ${e.id} → ${e.folder}/`),
          `exported ${report.exported.length} skill${report.exported.length === 1 ? "" : "s"} to ${report.dir}${report.failed.length ? `, ${report.failed.length} failed` : ""}`,
        ].join("\n"),
        () => report,
      );
      return report.failed.length > 0 ? EXIT_FAILED : 0;
    });
  });
}
