/** The skill-library MCP server: tools and `skill://` resources over one `SkillLibrary`. */
import { createRequire } from "node:module";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { SkillLibrary } from "../library/skill-library.js";
import { registerSkillResources, type SkillResourceOptions } from "./skill-resources.js";
import { registerSkillTools } from "./skill-tools.js";

/** Options of `createMcpServer`. */
export type McpServerOptions = SkillResourceOptions;

/** A server ready to `connect()`, and how to stop its background work. */
export interface SkillMcpServer {
  server: McpServer;
  /** Closes the connection and stops the background check (the library stays open). */
  close(): Promise<void>;
}

const INSTRUCTIONS =
  "A shared library of reusable skills. Use search_skills to find a skill for a task, get_skill to read it " +
  "(its parameters schema says what context to pass), execute_skill to run it, add_skill to save what worked. " +
  "Each skill is also readable as the resource skill://<id> (its SKILL.md).";

/**
 * An MCP server exposing `library`: the tools of API.md (plus `delete_skill`) and every
 * skill as the resource `skill://<id>`. Connect it to a transport, e.g. stdio.
 *
 * @example
 * const { server } = createMcpServer(library);
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(library: SkillLibrary, options: McpServerOptions = {}): SkillMcpServer {
  const server = new McpServer({ name: "skill-library", version: packageVersion() }, { instructions: INSTRUCTIONS });
  const notifier = registerSkillResources(server, library, options);
  registerSkillTools(server, library, notifier);
  return {
    server,
    async close() {
      notifier.stop();
      await server.close();
    },
  };
}

function packageVersion(): string {
  try {
    return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}
