/** `skill-library get ID`: one skill, readable (or `--json`). */
import type { Command } from "commander";
import { SkillNotFoundError, type Skill } from "../../index.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { duration, percent } from "../format-table.js";

/** Registers `get`. */
export function registerGetCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program.command("get").argument("<id>", "the skill id").description("show a skill: fields, version and statistics"),
    "skill-library get nav_login_generic",
    "skill-library get nav_login_generic --json",
  ).action(async (id: string) => {
    await cli.withLibrary(async (library) => {
      const skill = await library.getSkill(id);
      if (!skill) throw new SkillNotFoundError(id);
      cli.print(() => describeSkill(skill), () => skill);
    });
  });
}

/** A readable, multi-line description of a skill. */
export function describeSkill(skill: Skill): string {
  const rows: [string, string | undefined][] = [
    ["Name", skill.name],
    ["Description", skill.description],
    ["Category", skill.category],
    ["Tags", skill.tags.length ? skill.tags.join(", ") : undefined],
    ["Parameters", skill.parameters ? JSON.stringify(skill.parameters) : undefined],
    ["Steps", skill.steps ? skill.steps.join(" → ") || "(none)" : undefined],
    ["Code", skill.code === undefined ? undefined : `${lineCount(skill.code)} (see --json)`],
    ["Instructions", skill.instructions === undefined ? undefined : `${lineCount(skill.instructions)} of Markdown (see --json)`],
    ["Files", skill.files ? Object.keys(skill.files).join(", ") || "(none)" : undefined],
    ["Metadata", Object.keys(skill.metadata).length ? JSON.stringify(skill.metadata) : undefined],
    ["Runs", statsLine(skill)],
    ["Created", skill.createdAt],
    ["Updated", skill.updatedAt],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length)) + 2;
  return [`${skill.id}  (version ${skill.version})`, ...shown.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${indent(value, width + 2)}`)].join("\n");
}

function statsLine(skill: Skill): string {
  const s = skill.stats;
  if (s.executions === 0) return "never run";
  return `${s.executions} (${percent(s.successRate, s.executions)} success, ${s.timeouts} timeouts), avg ${duration(s.avgDurationMs, 1)}, p95 ${duration(s.p95DurationMs, 1)}, last ${s.lastExecutedAt ?? "-"}`;
}

function lineCount(text: string): string {
  const lines = text === "" ? 0 : text.split("\n").length;
  return `${lines} line${lines === 1 ? "" : "s"}`;
}

function indent(text: string, by: number): string {
  return text.replace(/\n/g, `\n${" ".repeat(by)}`);
}
