/** `skill-library run ID`: runs a skill with a hard timeout and prints its JSON result. */
import type { Command } from "commander";
import type { ExecuteOptions } from "../../index.js";
import { jsonObject, positiveInt } from "../arg-parsers.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";

interface RunFlags {
  context?: Record<string, unknown>;
  timeout?: number;
}

/** Registers `run`. */
export function registerRunCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("run")
      .argument("<id>", "the skill id")
      .summary("run a skill and print its JSON result")
      .description("run a skill (its code in the sandbox, or its steps) and print the result as JSON")
      .option("--context <json>", "the context: a JSON object, or @file.json", jsonObject)
      .option("--timeout <ms>", "stop the run after this many milliseconds (default 30000)", positiveInt),
    `skill-library run greet --context '{"name":"Ada"}' --timeout 5000`,
    "skill-library run greet --context @context.json",
  ).action(async (id: string, flags: RunFlags) => {
    const options: ExecuteOptions = {};
    if (flags.timeout !== undefined) options.timeout = flags.timeout;
    await cli.withLibrary(async (library) => {
      const result = await library.executeSkill(id, flags.context ?? {}, options);
      cli.print(() => JSON.stringify(result ?? null, null, 2), () => ({ result: result ?? null }));
    });
  });
}
