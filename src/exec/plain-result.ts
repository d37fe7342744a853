import { SkillLimitError } from "../errors.js";

/**
 * A result as fresh plain JSON objects, size-capped: JSON text is parsed anew, so a returned
 * `__proto__` key is an own property and pollutes nothing; `undefined` becomes `null`.
 */
export function toPlainResult(skillId: string, value: unknown, maxBytes: number): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new SkillLimitError(skillId, "result", `the result is not JSON (${(error as Error).message}); return plain data`);
  }
  return parseResultJson(skillId, json ?? "null", maxBytes);
}

/** Parses a result's JSON text after checking its size. */
export function parseResultJson(skillId: string, json: string, maxBytes: number): unknown {
  if (json.length > maxBytes / 3 && Buffer.byteLength(json) > maxBytes) {
    throw new SkillLimitError(skillId, "result", `the result is ${Buffer.byteLength(json)} bytes of JSON; at most ${maxBytes} allowed (sandbox.maxResultBytes)`);
  }
  return JSON.parse(json);
}
