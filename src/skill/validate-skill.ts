import { SkillValidationError, type ValidationProblem } from "../errors.js";
import { schemaProblem } from "./parameters-schema.js";
import type { Json, JsonSchema, SkillContent } from "./skill.js";

/** Limits of a skill's fields. */
export const SKILL_LIMITS = {
  idMax: 128,
  nameMax: 200,
  descriptionMax: 10_000,
  categoryMax: 100,
  tagMax: 100,
  tagsMax: 100,
  codeBytesMax: 512 * 1024,
  instructionsBytesMax: 512 * 1024,
  filesBytesMax: 1024 * 1024,
  stepsMax: 1000,
} as const;

const UNLIMITED: Record<keyof typeof SKILL_LIMITS, number> = Object.fromEntries(
  Object.keys(SKILL_LIMITS).map((key) => [key, key === "idMax" ? SKILL_LIMITS.idMax : Infinity]),
) as Record<keyof typeof SKILL_LIMITS, number>;

/** A valid skill id: 1-128 chars of `[A-Za-z0-9_.-]`, starting alphanumeric. */
export const SKILL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const KNOWN_FIELDS = new Set([
  "id", "name", "description", "category", "tags", "parameters", "code", "steps", "instructions", "files", "metadata",
]);

/** Why an id is not valid, or undefined when it is. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return `must be a string, got ${describeType(id)}`;
  if (!SKILL_ID_PATTERN.test(id)) {
    return `"${id.slice(0, 40)}" is not a valid id: use 1-${SKILL_LIMITS.idMax} characters of letters, digits, "_", "." or "-", starting with a letter or digit`;
  }
  return undefined;
}

/**
 * Checks an untrusted skill and returns it with defaults applied (category "general",
 * tags [], metadata {}). Throws `SkillValidationError` listing every problem.
 */
export function normalizeSkill(input: unknown, options: { limits?: boolean } = {}): SkillContent {
  const problems = skillProblems(input, options);
  const raw = (input ?? {}) as Record<string, unknown>;
  if (problems.length > 0) {
    throw new SkillValidationError(problems, "skill", typeof raw["id"] === "string" ? raw["id"] : undefined);
  }
  // Keys in sorted order and nested JSON copied with sorted keys: the canonical JSON of the
  // result (its hash, what the stores save) is then one JSON.stringify with nothing to copy.
  const skill = { category: (raw["category"] as string | undefined) ?? "general" } as SkillContent;
  if (raw["code"] !== undefined) skill.code = raw["code"] as string;
  skill.description = raw["description"] as string;
  if (raw["files"] !== undefined) skill.files = sortedCopy(raw["files"]) as Record<string, string>;
  skill.id = raw["id"] as string;
  if (raw["instructions"] !== undefined) skill.instructions = raw["instructions"] as string;
  skill.metadata = sortedCopy(raw["metadata"] ?? {}) as Record<string, Json>;
  skill.name = raw["name"] as string;
  if (raw["parameters"] !== undefined) skill.parameters = sortedCopy(raw["parameters"]) as JsonSchema;
  if (raw["steps"] !== undefined) skill.steps = [...(raw["steps"] as string[])];
  skill.tags = [...((raw["tags"] as string[] | undefined) ?? [])];
  return skill;
}

/** A deep copy of checked JSON, every object's keys in sorted order. */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) copy[key] = sortedCopy(child);
  }
  return copy;
}

/** Every problem of an untrusted skill, with its field path. Empty when valid. */
export function skillProblems(input: unknown, { limits = true }: { limits?: boolean } = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const L = limits ? SKILL_LIMITS : UNLIMITED;
  const add = (path: string, message: string) => problems.push({ path, message });
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    add("", `a skill must be an object, got ${describeType(input)}`);
    return problems;
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key) && raw[key] !== undefined) {
      add(key, `unknown field; known fields are ${[...KNOWN_FIELDS].join(", ")}`);
    }
  }
  const id = idProblem(raw["id"]);
  if (raw["id"] === undefined) add("id", "is required");
  else if (id) add("id", id);
  requiredText(raw, "name", L.nameMax, add);
  requiredText(raw, "description", L.descriptionMax, add);
  optionalText(raw, "category", L.categoryMax, add, true);
  stringList(raw, "tags", L.tagsMax, add, (tag, path) => {
    if (tag.trim() === "") add(path, "must not be empty");
    else if (tag.length > L.tagMax) add(path, `is ${tag.length} chars; at most ${L.tagMax} allowed`);
  });
  if (raw["parameters"] !== undefined) {
    if (!isPlainObject(raw["parameters"])) add("parameters", `must be a JSON Schema object, got ${describeType(raw["parameters"])}`);
    else {
      const before = problems.length;
      jsonProblems(raw["parameters"], "parameters", add);
      const problem = problems.length === before ? schemaProblem(raw["parameters"] as JsonSchema) : undefined;
      if (problem) add("parameters", problem);
    }
  }
  optionalBytes(raw, "code", L.codeBytesMax, add);
  optionalBytes(raw, "instructions", L.instructionsBytesMax, add);
  stringList(raw, "steps", L.stepsMax, add, (step, path) => {
    const problem = idProblem(step);
    if (problem) add(path, problem);
  });
  if (raw["files"] !== undefined) filesProblems(raw["files"], L.filesBytesMax, add);
  if (raw["metadata"] !== undefined) {
    if (!isPlainObject(raw["metadata"])) add("metadata", `must be an object, got ${describeType(raw["metadata"])}`);
    else jsonProblems(raw["metadata"], "metadata", add);
  }
  return problems;
}

type Add = (path: string, message: string) => void;

function requiredText(raw: Record<string, unknown>, key: string, max: number, add: Add): void {
  if (raw[key] === undefined) add(key, "is required");
  else optionalText(raw, key, max, add, true);
}

function optionalText(raw: Record<string, unknown>, key: string, max: number, add: Add, nonEmpty: boolean): void {
  const value = raw[key];
  if (value === undefined) return;
  if (typeof value !== "string") add(key, `must be a string, got ${describeType(value)}`);
  else if (nonEmpty && value.trim() === "") add(key, "must not be empty");
  else if (value.length > max) add(key, `is ${value.length} chars; at most ${max} allowed`);
}

function optionalBytes(raw: Record<string, unknown>, key: string, max: number, add: Add): void {
  const value = raw[key];
  if (value === undefined) return;
  if (typeof value !== "string") add(key, `must be a string, got ${describeType(value)}`);
  else if (Buffer.byteLength(value) > max) add(key, `is ${Buffer.byteLength(value)} bytes; at most ${max} allowed`);
}

function stringList(raw: Record<string, unknown>, key: string, max: number, add: Add, each: (item: string, path: string) => void): void {
  const value = raw[key];
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    add(key, `must be an array of strings, got ${describeType(value)}`);
    return;
  }
  if (value.length > max) add(key, `has ${value.length} items; at most ${max} allowed`);
  value.forEach((item, i) => {
    if (typeof item !== "string") add(`${key}[${i}]`, `must be a string, got ${describeType(item)}`);
    else each(item, `${key}[${i}]`);
  });
}

function filesProblems(files: unknown, maxBytes: number, add: Add): void {
  if (!isPlainObject(files)) {
    add("files", `must be an object of relative path → text, got ${describeType(files)}`);
    return;
  }
  let total = 0;
  for (const [path, content] of Object.entries(files)) {
    const where = `files["${path}"]`;
    if (path === "" || path.startsWith("/") || path.includes("\\") || path.split("/").some((part) => part === ".." || part === "." || part === "")) {
      add(where, "must be a relative path with \"/\" separators and no \".\" or \"..\" parts");
    }
    if (typeof content !== "string") add(where, `must be a string, got ${describeType(content)}`);
    else total += Buffer.byteLength(content);
  }
  if (total > maxBytes) add("files", `hold ${total} bytes; at most ${maxBytes} allowed in all`);
}

function jsonProblems(value: unknown, path: string, add: Add): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) add(path, "must be a finite number");
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => jsonProblems(item, `${path}[${i}]`, add));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) jsonProblems(child, `${path}.${key}`, add);
    return;
  }
  add(path, `must be JSON, got ${describeType(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
