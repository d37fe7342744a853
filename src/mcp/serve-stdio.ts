/** Runs the MCP server on stdin/stdout until the client goes away. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { SkillLibrary } from "../library/skill-library.js";
import { createMcpServer, type McpServerOptions } from "./create-mcp-server.js";

/**
 * Serves `library` over stdio and resolves when stdin ends (the client closed), the
 * transport closes, or SIGINT / SIGTERM arrives. Nothing but protocol messages is
 * written to stdout. The caller closes the library afterwards.
 *
 * @example
 * const library = await openSkillLibrary({ store: "./skills.db" });
 * await serveStdio(library);
 * await library.close();
 */
export async function serveStdio(library: SkillLibrary, options: McpServerOptions = {}): Promise<void> {
  const mcp = createMcpServer(library, options);
  const transport = new StdioServerTransport();
  let finish!: () => void;
  const closed = new Promise<void>((resolve) => (finish = resolve));
  transport.onclose = () => finish();
  const stop = () => finish();
  process.stdin.once("end", stop);
  process.stdin.once("close", stop);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await mcp.server.connect(transport);
  mcp.server.server.onclose = () => finish();
  try {
    await closed;
  } finally {
    process.stdin.off("end", stop);
    process.stdin.off("close", stop);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await mcp.close().catch(() => undefined);
  }
}
