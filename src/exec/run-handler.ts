import { AbortError, SkillExecutionError, SkillLibraryError, SkillTimeoutError } from "../errors.js";
import type { Tools } from "./tools.js";

/** A trusted in-process skill: gets the context, an `AbortSignal` that fires at the deadline, and the tools. */
export type SkillHandler = (context: Record<string, unknown>, helpers: { signal: AbortSignal; tools: Tools }) => unknown;

/**
 * Runs a handler until it settles or the deadline passes. At the deadline its signal fires
 * and the call rejects with `SkillTimeoutError`: a handler runs in this process, so it can
 * only be asked to stop; code that must be killable belongs in `code`.
 */
export function runHandler(
  skillId: string,
  handler: SkillHandler,
  context: Record<string, unknown>,
  run: { tools: Tools; deadline: number; timeoutMs: number; signal: AbortSignal | undefined },
): Promise<unknown> {
  const controller = new AbortController();
  return new Promise<unknown>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
    };
    const timer = setTimeout(() => {
      finish();
      const error = new SkillTimeoutError(skillId, run.timeoutMs);
      controller.abort(error);
      reject(error);
    }, Math.max(0, run.deadline - performance.now()));
    const onAbort = () => {
      finish();
      controller.abort(new AbortError());
      reject(new AbortError(`the run of skill "${skillId}" was aborted by its signal`));
    };
    run.signal?.addEventListener("abort", onAbort, { once: true });
    Promise.resolve()
      .then(() => handler(context, { signal: controller.signal, tools: run.tools }))
      .then(
        (result) => {
          finish();
          resolve(result);
        },
        (error: unknown) => {
          finish();
          if (error instanceof SkillLibraryError) reject(error);
          else {
            const message = error instanceof Error ? error.message : String(error);
            reject(new SkillExecutionError(skillId, message, { cause: error, stack: error instanceof Error ? error.stack : undefined }));
          }
        },
      );
  });
}
