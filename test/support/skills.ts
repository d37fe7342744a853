import type { SkillInput } from "../../src/index.js";

/** A small valid skill with an id and optional overrides. */
export function skill(id: string, overrides: Partial<SkillInput> = {}): SkillInput {
  return { id, name: `Skill ${id}`, description: `Does the ${id} thing for tests`, ...overrides };
}

/** Resolves when `check()` holds, polling on a short interval; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
