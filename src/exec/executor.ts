import { availableParallelism } from "node:os";
import pLimit from "p-limit";
import {
  AbortError, InvalidArgumentError, SkillExecutionError, SkillLimitError, SkillNotExecutableError, SkillNotFoundError,
  SkillTimeoutError, SkillValidationError,
} from "../errors.js";
import type { SandboxSettings } from "../library/library-options.js";
import { contextProblems } from "../skill/parameters-schema.js";
import type { Skill } from "../skill/skill.js";
import type { SkillStore } from "../store/skill-store.js";
import { runSteps } from "../workflow/run-steps.js";
import { parseResultJson, toPlainResult } from "./plain-result.js";
import { runHandler, type SkillHandler } from "./run-handler.js";
import { createSandbox } from "./sandbox/create-sandbox.js";
import type { Sandbox } from "./sandbox/sandbox.js";
import { callTool, checkTools, type Tools } from "./tools.js";

export type { SkillHandler } from "./run-handler.js";

/** Options of `executeSkill`. */
export interface ExecuteOptions {
  /** Milliseconds from the call (waiting for a sandbox included). @default the library's defaultTimeoutMs (30 000) */
  timeout?: number;
  /** Cancels the run (`AbortError`); a run stopped this way counts as a failure. */
  signal?: AbortSignal;
  /** Host functions the skill may `await tools.name(...args)`. */
  tools?: Tools;
  /** Who ran it, for the execution log. */
  agentId?: string;
}

/** What the executor needs from the library. */
export interface ExecutorDeps {
  loadSkill(id: string): Promise<Skill | undefined>;
  store(): Promise<SkillStore>;
  onRecorded(id: string): void;
  sandbox: Required<SandboxSettings>;
  defaultTimeoutMs: number;
}

/** An absolute deadline on the `performance.now()` clock and the timeout it came from. */
export interface Deadline {
  at: number;
  timeoutMs: number;
}

/**
 * Runs skills: checks before the run, the engine (handler, stored steps, or sandboxed
 * code), the deadline, and the metrics, which are committed before the call settles.
 */
export class Executor {
  readonly handlers = new Map<string, SkillHandler>();
  private sandboxPool: Promise<Sandbox> | undefined;
  /** The pool once started (the hot path takes it without awaiting). */
  private startedSandbox: Sandbox | undefined;

  constructor(private readonly deps: ExecutorDeps) {}

  /** Runs one skill. `workflowPath` holds the stored workflows this run is nested in (cycle check). */
  async execute(id: string, context: Record<string, unknown> = {}, options: ExecuteOptions = {}, workflowPath: readonly string[] = []): Promise<unknown> {
    const started = performance.now();
    const timeoutMs = options.timeout ?? this.deps.defaultTimeoutMs;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0)) throw new InvalidArgumentError("timeout", `must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
    return this.executeUntil(id, context, options, { at: started + timeoutMs, timeoutMs }, workflowPath);
  }

  /** Runs one skill against a deadline that may be shared with a surrounding workflow. */
  async executeUntil(id: string, context: unknown, options: ExecuteOptions, deadline: Deadline, workflowPath: readonly string[]): Promise<unknown> {
    if (typeof id !== "string" || id === "") throw new InvalidArgumentError("id", "must be a non-empty string");
    if (context === null || typeof context !== "object" || Array.isArray(context)) throw new InvalidArgumentError("context", "must be a plain object of JSON values");
    const tools = checkTools(options.tools);
    if (options.signal?.aborted) throw new AbortError(`the run of skill "${id}" was aborted before it started`);
    const contextJson = JSON.stringify(context);
    const skill = await this.deps.loadSkill(id);
    if (!skill) throw new SkillNotFoundError(id);
    if (skill.parameters) {
      const problems = contextProblems(skill.parameters, JSON.parse(contextJson));
      if (problems.length > 0) throw new SkillValidationError(problems, "context for skill", id);
    }
    const handler = this.handlers.get(id);
    if (!handler && skill.code === undefined && skill.steps === undefined) throw new SkillNotExecutableError(id);
    if (!handler && skill.steps && workflowPath.includes(id)) {
      const cycle = [...workflowPath.slice(workflowPath.indexOf(id)), id].join(" → ");
      throw new SkillValidationError([{ path: "steps", message: `stored workflows form a cycle: ${cycle}; remove one of these steps` }], "workflow", id);
    }

    // The first code run starts the sandbox pool; that one-time start is not the skill's duration,
    // but it counts against the deadline: a pool slower than that is not waited for (the run is a timeout).
    const sandbox = handler || skill.steps ? undefined : (this.startedSandbox ?? (await beforeDeadline(this.sandbox(), deadline.at)));
    if (options.signal?.aborted) throw new AbortError(`the run of skill "${id}" was aborted before it started`);
    const started = performance.now();
    const startedAt = new Date().toISOString();
    let outcome: "success" | "failure" | "timeout" = "failure";
    let failure: string | undefined;
    try {
      const fresh = JSON.parse(contextJson) as Record<string, unknown>;
      const result = handler
        ? toPlainResult(id, await runHandler(id, handler, fresh, { tools, deadline: deadline.at, timeoutMs: deadline.timeoutMs, signal: options.signal }), this.deps.sandbox.maxResultBytes)
        : skill.steps
          ? await runSteps(this, skill.steps, fresh, { ...options, tools }, deadline, [...workflowPath, id])
          : await this.runCode(sandbox, skill, contextJson, tools, deadline, options.signal);
      outcome = "success";
      return result;
    } catch (error) {
      outcome = error instanceof SkillTimeoutError ? "timeout" : "failure";
      failure = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      const store = await this.deps.store();
      const record = { skillId: id, version: skill.version, startedAt, durationMs: performance.now() - started, outcome, error: failure };
      await store.recordExecution(options.agentId === undefined ? record : { ...record, agentId: options.agentId });
      this.deps.onRecorded(id);
    }
  }

  /** Runs stored code in the sandbox; `undefined`: the deadline passed while the sandbox was starting. */
  private async runCode(sandbox: Sandbox | undefined, skill: Skill, contextJson: string, tools: Tools, deadline: Deadline, signal: AbortSignal | undefined): Promise<unknown> {
    if (!sandbox) throw new SkillTimeoutError(skill.id, deadline.timeoutMs);
    const outcome = await sandbox.run({
      code: skill.code as string,
      contextJson,
      toolNames: Object.keys(tools),
      deadline: deadline.at,
      signal,
      callTool: (name, argsJson) => callTool(tools, name, argsJson),
    });
    if (outcome.ok) return parseResultJson(skill.id, outcome.resultJson, this.deps.sandbox.maxResultBytes);
    switch (outcome.kind) {
      case "timeout":
        throw new SkillTimeoutError(skill.id, deadline.timeoutMs);
      case "memory":
        throw new SkillLimitError(skill.id, "memory", `${outcome.message} (sandbox.memoryLimitMb is ${this.deps.sandbox.memoryLimitMb})`);
      case "result-size":
        throw new SkillLimitError(skill.id, "result", `${outcome.message} (sandbox.maxResultBytes is ${this.deps.sandbox.maxResultBytes})`);
      case "aborted":
        throw new AbortError(`the run of skill "${skill.id}" was aborted by its signal`);
      case "error":
        throw new SkillExecutionError(skill.id, outcome.message, { stack: outcome.stack });
    }
  }

  /** Runs many skills with at most `maxConcurrent` in flight; never rejects for one failure. */
  async executeBatch(
    executions: readonly (readonly [string, Record<string, unknown>?])[],
    options: { timeout?: number; maxConcurrent?: number } = {},
  ): Promise<[string, unknown, Error | undefined][]> {
    if (!Array.isArray(executions)) throw new InvalidArgumentError("executions", "must be an array of [id, context] pairs");
    const maxConcurrent = options.maxConcurrent ?? 10;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new InvalidArgumentError("maxConcurrent", `must be a whole number ≥ 1, got ${JSON.stringify(maxConcurrent)}`);
    const limit = pLimit(maxConcurrent);
    return Promise.all(
      executions.map(([id, context]) =>
        limit(() =>
          this.execute(id, context ?? {}, { timeout: options.timeout }).then(
            (result): [string, unknown, Error | undefined] => [id, result, undefined],
            (error: unknown): [string, unknown, Error | undefined] => [id, undefined, error instanceof Error ? error : new Error(String(error))],
          ),
        ),
      ),
    );
  }

  /** The warm sandbox pool, started on the first code run. */
  private sandbox(): Promise<Sandbox> {
    const settings = this.deps.sandbox;
    this.sandboxPool ??= createSandbox(settings.engine, {
      memoryLimitMb: settings.memoryLimitMb,
      maxResultBytes: settings.maxResultBytes,
      poolSize: settings.poolSize > 0 ? settings.poolSize : Math.max(2, Math.min(8, availableParallelism())),
    }).then((sandbox) => (this.startedSandbox = sandbox));
    return this.sandboxPool as Promise<Sandbox>;
  }

  /** Stops the sandbox pool. */
  async close(): Promise<void> {
    const pool = this.sandboxPool;
    this.sandboxPool = undefined;
    this.startedSandbox = undefined;
    if (pool) await (await pool.catch(() => undefined))?.close();
  }
}

/**
 * `pending`'s value, or undefined once the deadline (on the `performance.now()` clock) has
 * passed first. A rejection of `pending` before the deadline passes through.
 */
function beforeDeadline<T>(pending: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    const check = (): void => {
      const left = deadline - performance.now();
      // Node timers count whole milliseconds and may fire up to ~1 ms early: re-arm until it has passed.
      if (left <= 0) resolve(undefined);
      else timer = setTimeout(check, left);
    };
    check();
  });
  return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
}
