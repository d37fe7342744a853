import { InvalidArgumentError } from "../errors.js";
import type { ExecuteOptions, Executor } from "../exec/executor.js";
import { mergeResult } from "./running-context.js";

/** Options of `composeSkills`. */
export interface ComposeOptions {
  /** @default "workflow" */
  workflowName?: string;
  /** Timeout of each step in ms. @default the library's defaultTimeoutMs */
  timeoutPerSkill?: number;
  /** Host functions every step may call (as in `executeSkill`). */
  tools?: ExecuteOptions["tools"];
  /** Cancels the running step and stops the workflow. */
  signal?: AbortSignal;
  /** Who ran it, for the execution log. */
  agentId?: string;
}

/** One step of a workflow run. */
export interface WorkflowStepResult {
  skillId: string;
  success: boolean;
  result?: unknown;
  error?: string;
  durationMs: number;
}

/** How a workflow went. */
export interface WorkflowResult {
  workflowName: string;
  success: boolean;
  completedSteps: number;
  totalSteps: number;
  steps: WorkflowStepResult[];
  /** The running context after the last completed step. */
  context: Record<string, unknown>;
  error?: string;
  durationMs: number;
}

/**
 * Runs skills in order. Each step gets the running context: the initial context with every
 * earlier step's plain-object result shallow-merged in. Stops at the first failure and
 * reports it; never rejects for a step's failure.
 */
export async function composeSkills(
  executor: Executor,
  ids: readonly string[],
  context: Record<string, unknown>,
  options: ComposeOptions = {},
): Promise<WorkflowResult> {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) throw new InvalidArgumentError("ids", "must be an array of skill ids");
  if (context === null || typeof context !== "object" || Array.isArray(context)) throw new InvalidArgumentError("context", "must be a plain object");
  const workflowName = options.workflowName ?? "workflow";
  const started = performance.now();
  const steps: WorkflowStepResult[] = [];
  let running: Record<string, unknown> = { ...context };
  let error: string | undefined;
  for (const skillId of ids) {
    const stepStarted = performance.now();
    try {
      const { tools, signal, agentId } = options;
      const result = await executor.execute(skillId, running, { timeout: options.timeoutPerSkill, tools, signal, agentId });
      steps.push({ skillId, success: true, result, durationMs: performance.now() - stepStarted });
      running = mergeResult(running, result);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      steps.push({ skillId, success: false, error, durationMs: performance.now() - stepStarted });
      break;
    }
  }
  const completedSteps = steps.filter((step) => step.success).length;
  const result: WorkflowResult = {
    workflowName,
    success: error === undefined,
    completedSteps,
    totalSteps: ids.length,
    steps,
    context: running,
    durationMs: performance.now() - started,
  };
  if (error !== undefined) result.error = error;
  return result;
}
