import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { ValidationProblem } from "../errors.js";
import { canonicalJson } from "./content-hash.js";
import type { JsonSchema } from "./skill.js";

// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 500;

function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = canonicalJson(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, validate);
  }
  return validate;
}

/** Why a `parameters` schema is not a usable JSON Schema, or undefined when it is. */
export function schemaProblem(schema: JsonSchema): string | undefined {
  try {
    validatorFor(schema);
    return undefined;
  } catch (error) {
    return `is not a valid JSON Schema (draft 2020-12): ${(error as Error).message}`;
  }
}

/** Every way `context` fails `schema`, as `{ path, message }` (path like `context.url`). */
export function contextProblems(schema: JsonSchema, context: unknown): ValidationProblem[] {
  const validate = validatorFor(schema);
  if (validate(context)) return [];
  return (validate.errors ?? []).map((error) => {
    const pointer = error.instancePath.split("/").slice(1).map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
    const missing = error.keyword === "required" ? [(error.params as { missingProperty: string }).missingProperty] : [];
    return { path: ["context", ...pointer, ...missing].join("."), message: error.message ?? "is invalid" };
  });
}
