/** The `skill-library` program: every command and the global options. */
import { Command } from "commander";
import { CliRuntime } from "./cli-runtime.js";
import { registerAddCommand } from "./commands/add.js";
import { registerDeleteCommand } from "./commands/delete.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerExportCommand } from "./commands/export.js";
import { registerGetCommand } from "./commands/get.js";
import { registerImportCommand } from "./commands/import.js";
import { registerMcpCommand } from "./commands/mcp.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSearchCommand } from "./commands/search.js";
import { registerStatsCommand } from "./commands/stats.js";
import { registerVersionCommands } from "./commands/versions.js";

/**
 * Builds the `skill-library` program. `exitOverride()` makes commander throw instead of
 * exiting, so `main.ts` can close everything and map usage errors to exit code 2.
 *
 * @example
 * const { program } = createProgram();
 * await program.parseAsync(["get", "greet"], { from: "user" });
 */
export function createProgram(): { program: Command; cli: CliRuntime } {
  const program = new Command("skill-library")
    .description("Shared, durable skill memory for AI agents")
    .option("--store <url>", "store: a file path, sqlite:PATH, :memory: or postgres://… (default: $SKILL_LIBRARY_URL or ./skills.db)")
    .option("--json", "print machine-readable JSON on stdout")
    .option("--debug", "print the stack with an error")
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .addHelpText("after", "\nExit codes: 0 success, 1 something failed (a run, a refused skill, not found), 2 bad usage.");
  const cli = new CliRuntime(program);
  registerDemoCommand(program);
  registerAddCommand(program, cli);
  registerGetCommand(program, cli);
  registerSearchCommand(program, cli);
  registerRunCommand(program, cli);
  registerVersionCommands(program, cli);
  registerDeleteCommand(program, cli);
  registerStatsCommand(program, cli);
  registerImportCommand(program, cli);
  registerExportCommand(program, cli);
  registerMcpCommand(program, cli);
  return { program, cli };
}
