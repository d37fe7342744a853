/** `skill-library mcp`: the MCP server on stdio. */
import type { Command } from "commander";
import { withExamples, type CliRuntime } from "../cli-runtime.js";

/** Registers `mcp`. */
export function registerMcpCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("mcp")
      .summary("serve the library to MCP clients over stdio")
      .description("serve the library to MCP clients over stdio (tools: search_skills, get_skill, execute_skill, add_skill, delete_skill, get_version_history, compose_skills; resources: skill://<id>)"),
    "skill-library mcp --store ./skills.db",
  ).action(async () => {
    // Loaded on demand: the MCP SDK is not needed by the other commands.
    const { serveStdio } = await import("../../mcp/serve-stdio.js");
    await cli.withLibrary((library) => serveStdio(library));
  });
}
