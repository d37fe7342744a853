/**
 * The host end of a tool call made inside the sandbox.
 */
import type { SandboxRun } from "./sandbox.js";

/** A tool's answer as it goes back to the member. */
export type ToolAnswer = { ok: true; json: string } | { ok: false; message: string };

/**
 * Runs `run.callTool(name, argsJson)` and hands its answer to `reply` — never throws, never
 * rejects. A name the run was not given is refused here too (the skill cannot reach other tools
 * even if it forged a call). A rejection becomes `{ ok: false, message }`.
 */
export function relayToolCall(run: SandboxRun, name: string, argsJson: string, reply: (answer: ToolAnswer) => void): void {
  if (!run.toolNames.includes(name)) return reply({ ok: false, message: `no tool named "${name}" was given to this run` });
  let pending: Promise<string>;
  try {
    pending = Promise.resolve(run.callTool(name, argsJson));
  } catch (error) {
    pending = Promise.reject(error);
  }
  pending.then(
    (json) => reply({ ok: true, json: typeof json === "string" ? json : "null" }),
    (error: unknown) => reply({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
