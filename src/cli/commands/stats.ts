/** `skill-library stats [ID]`: runs, success rate and latency per skill, as a table. */
import type { Command } from "commander";
import { SkillNotFoundError, type Skill } from "../../index.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { duration, formatTable, percent } from "../format-table.js";

/** Registers `stats`. */
export function registerStatsCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program.command("stats").argument("[id]", "one skill (default: every skill)").description("show runs, success rate, average and p95 duration"),
    "skill-library stats",
    "skill-library stats nav_login_generic --json",
  ).action(async (id: string | undefined) => {
    await cli.withLibrary(async (library) => {
      let skills: Skill[];
      if (id === undefined) skills = await library.listSkills({ limit: Infinity });
      else {
        const skill = await library.getSkill(id);
        if (!skill) throw new SkillNotFoundError(id);
        skills = [skill];
      }
      cli.print(
        () =>
          skills.length === 0
            ? "no skills yet"
            : formatTable(
                ["ID", "RUNS", "SUCCESS RATE", "FAILURES", "TIMEOUTS", "AVG", "P95", "LAST RUN"],
                skills.map(({ id: skillId, stats: s }) => [
                  skillId, String(s.executions), percent(s.successRate, s.executions), String(s.failures), String(s.timeouts),
                  duration(s.avgDurationMs, s.executions), duration(s.p95DurationMs, s.executions), s.lastExecutedAt ?? "-",
                ]),
              ),
        () => (id === undefined ? { skills: skills.map((s) => ({ id: s.id, stats: s.stats })) } : { id, stats: skills[0]?.stats }),
      );
    });
  });
}
