import { InvalidArgumentError } from "../errors.js";

/** Host functions a skill may call as `await tools.name(...args)`; arguments and results cross as JSON. */
export type Tools = Record<string, (...args: never[]) => unknown>;

/** Checks a tools object: every value must be a function. */
export function checkTools(tools: unknown): Tools {
  if (tools === undefined) return {};
  if (tools === null || typeof tools !== "object" || Array.isArray(tools)) throw new InvalidArgumentError("tools", "must be an object of functions");
  for (const [name, fn] of Object.entries(tools)) {
    if (typeof fn !== "function") throw new InvalidArgumentError(`tools.${name}`, "must be a function");
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new InvalidArgumentError(`tools.${name}`, "must be a JavaScript identifier");
  }
  return tools as Tools;
}

/** Calls a host tool with JSON arguments and returns its result as JSON text. */
export async function callTool(tools: Tools, name: string, argsJson: string): Promise<string> {
  const fn = tools[name];
  if (!fn) throw new Error(`no tool named "${name}" was given to this run`);
  const args = JSON.parse(argsJson) as never[];
  const result = await fn(...args);
  return JSON.stringify(result === undefined ? null : result) ?? "null";
}
