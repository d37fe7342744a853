/** `skill-library delete ID`: deletes a skill (its history is kept; `restore` brings it back). */
import type { Command } from "commander";
import { SkillNotFoundError } from "../../index.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";

/** Registers `delete`. */
export function registerDeleteCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program.command("delete").argument("<id>", "the skill id").summary("delete a skill (history is kept)").description("delete a skill; its history is kept and `restore` can bring it back"),
    "skill-library delete nav_login_generic",
  ).action(async (id: string) => {
    await cli.withLibrary(async (library) => {
      if (!(await library.deleteSkill(id))) throw new SkillNotFoundError(id);
      cli.print(() => `deleted ${id}`, () => ({ id, deleted: true }));
    });
  });
}
