/** Shallow-merges a step's result into the running context when it is a plain object. */
export function mergeResult(context: Record<string, unknown>, result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== "object" || Array.isArray(result)) return context;
  return { ...context, ...(result as Record<string, unknown>) };
}
