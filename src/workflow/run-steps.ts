import type { Deadline, ExecuteOptions, Executor } from "../exec/executor.js";
import { mergeResult } from "./running-context.js";

/**
 * Runs a stored workflow's steps in order under the workflow's one deadline. Resolves to the
 * final running context; rejects with the failing step's error (its message names the step).
 * `path` is the chain of stored workflows being run, for the cycle check.
 */
export async function runSteps(
  executor: Executor,
  steps: readonly string[],
  context: Record<string, unknown>,
  options: ExecuteOptions,
  deadline: Deadline,
  path: readonly string[],
): Promise<Record<string, unknown>> {
  let running = context;
  for (const step of steps) {
    const result = await executor.executeUntil(step, running, options, deadline, path);
    running = mergeResult(running, result);
  }
  return running;
}
