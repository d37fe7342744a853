/** Human output of an add / import report: one line per skill, problems on stderr. */
import type { ImportWarning } from "../agent-skills/import-skills.js";
import type { SaveReport } from "../agent-skills/save-skills.js";
import { EXIT_FAILED, type CliRuntime } from "./cli-runtime.js";

/**
 * Prints a save report (JSON with `--json`) and returns the exit code: 1 when any skill
 * was refused, else 0.
 */
export function printSaveReport(cli: CliRuntime, report: SaveReport & { warnings?: ImportWarning[] }, verb: string): number {
  for (const warning of report.warnings ?? []) cli.warn(`${warning.source}: ${warning.message}`);
  for (const refused of report.refused) {
    cli.problem(`${refused.source}${refused.id && refused.id !== refused.source ? ` (${refused.id})` : ""}: refused: ${refused.problems.join("; ")}`);
  }
  cli.print(
    () => {
      const lines = [
        ...report.added.map((s) => `added      ${s.id} (version ${s.version})`),
        ...report.updated.map((s) => `updated    ${s.id} (version ${s.version})`),
        ...report.unchanged.map((s) => `unchanged  ${s.id} (version ${s.version})`),
      ];
      const total = report.added.length + report.updated.length + report.unchanged.length + report.refused.length;
      lines.push(
        `${verb} ${total} skill${total === 1 ? "" : "s"}: ${report.added.length} added, ${report.updated.length} updated, ` +
          `${report.unchanged.length} unchanged, ${report.refused.length} refused`,
      );
      return lines.join("\n");
    },
    () => report,
  );
  return report.refused.length > 0 ? EXIT_FAILED : 0;
}
