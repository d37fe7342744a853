/** MCP tool results: the value as `structuredContent` plus its JSON as text, or an error result. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SkillLibraryError } from "../errors.js";

/**
 * A successful tool result: `structuredContent` (an object) and the same JSON as text.
 *
 * @example
 * toolResult({ skill }); // { content: [{ type: "text", text: "{…}" }], structuredContent: { skill } }
 */
export function toolResult(value: Record<string, unknown>): CallToolResult {
  const structured = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return { content: [{ type: "text", text: JSON.stringify(structured, null, 2) }], structuredContent: structured };
}

/**
 * A failed tool result (`isError: true`) whose text starts with the library error code:
 * `SKILL_NOT_FOUND: skill "x" does not exist; …`. Other errors start with `ERROR:`.
 */
export function toolError(error: unknown): CallToolResult {
  const code = error instanceof SkillLibraryError ? error.code : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  return { content: [{ type: "text", text: `${code}: ${message}` }], isError: true };
}

/** Runs a tool body and turns any error into an error result: a tool never crashes the server. */
export async function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return toolError(error);
  }
}
