/**
 * An Agent Skills folder (SKILL.md + files) → a skill, checked against the specification
 * and against our own rules. Every problem is listed, not only the first.
 */
import type { Json, SkillInput } from "../skill/skill.js";
import { idProblem, skillProblems } from "../skill/validate-skill.js";
import { META_KEYS, META_PREFIX } from "./metadata-keys.js";
import { setOwn } from "./set-own.js";
import { parseSkillMd, SkillMdSyntaxError } from "./skill-md-codec.js";
import { SPEC_FIELDS, SPEC_LIMITS, specNameProblem } from "./spec-rules.js";

/** The text contents of a skill folder, as read from disk. */
export interface FolderContents {
  /** The folder's own name (must equal the front-matter `name`). */
  folderName: string;
  /** The text of SKILL.md. */
  skillMd: string;
  /** Every other text file: relative path with "/" → UTF-8 text. */
  files: Record<string, string>;
}

/** What a folder maps to: a skill when there are no `problems`. */
export interface FolderMapping {
  skill?: SkillInput;
  /** Broken rules: the skill is refused. */
  problems: string[];
  /** Spec limits stricter than ours, unusual values kept as they are. */
  warnings: string[];
}

const OUR_KEYS = new Set<string>(Object.values(META_KEYS));

/**
 * Maps a folder to a skill. Front matter `name` → `id` (unless `skill-library.id` gives it),
 * `description` → `description`, the body → `instructions` (absent when empty), the other
 * files → `files`, `license` / `compatibility` / `allowed-tools` / other metadata →
 * `metadata`; our own fields come back from their `skill-library.*` keys.
 *
 * @example
 * const { skill, problems } = skillFromFolder({ folderName: "x", skillMd: "---\nname: x\ndescription: Does x\n---\n", files: {} });
 */
export function skillFromFolder(folder: FolderContents): FolderMapping {
  const problems: string[] = [];
  const warnings: string[] = [];
  let parsed;
  try {
    parsed = parseSkillMd(folder.skillMd);
  } catch (error) {
    if (error instanceof SkillMdSyntaxError) return { problems: [error.message], warnings };
    throw error;
  }
  const fm = parsed.frontMatter;
  const metadata: Record<string, Json> = {};
  const ours: Record<string, unknown> = {};

  const name = fm["name"];
  if (name === undefined) problems.push("name: is required in the front matter");
  else {
    const problem = specNameProblem(name);
    if (problem) problems.push(`name: ${problem}`);
    else if (name !== folder.folderName) problems.push(`name: "${String(name)}" does not match the folder name "${folder.folderName}"; rename one of them`);
  }
  const description = fm["description"];
  if (description === undefined || description === null) problems.push("description: is required in the front matter");
  else if (typeof description !== "string") problems.push(`description: must be a string, got ${typeName(description)}`);
  else if (description.trim() === "") problems.push("description: must not be empty");

  for (const [key, value] of Object.entries(fm)) {
    if (key === "name" || key === "description" || key === "metadata") continue;
    if (!(SPEC_FIELDS as readonly string[]).includes(key)) warnings.push(`front-matter field "${key}" is not in the Agent Skills spec; kept in metadata`);
    else if (typeof value !== "string") warnings.push(`${key}: should be a string per the spec, got ${typeName(value)}; kept as it is`);
    else if (key === "compatibility" && value.length > SPEC_LIMITS.compatibilityMax) {
      warnings.push(`compatibility: is ${value.length} characters; the spec allows ${SPEC_LIMITS.compatibilityMax} (kept in full)`);
    }
    setOwn(metadata, key, toJson(value));
  }

  const specMetadata = fm["metadata"];
  if (specMetadata !== undefined && specMetadata !== null && !isPlainObject(specMetadata)) {
    problems.push(`metadata: must be a mapping of string keys to string values, got ${typeName(specMetadata)}`);
  } else {
    for (const [key, value] of Object.entries(specMetadata ?? {})) {
      if (OUR_KEYS.has(key)) ours[key] = value;
      else if (Object.hasOwn(metadata, key)) warnings.push(`metadata.${key}: the front-matter field of the same name wins`);
      else {
        if (key.startsWith(META_PREFIX)) warnings.push(`metadata.${key}: not a key skill-library knows; kept in metadata`);
        else if (typeof value !== "string") warnings.push(`metadata.${key}: should be a string per the spec, got ${typeName(value)}; kept as it is`);
        setOwn(metadata, key, toJson(value));
      }
    }
  }
  if (typeof description === "string" && description.length > SPEC_LIMITS.descriptionMax && ours[META_KEYS.description] === undefined) {
    warnings.push(`description: is ${description.length} characters; the spec allows ${SPEC_LIMITS.descriptionMax} (kept in full)`);
  }

  const skill = buildSkill(folder, parsed.body, fm, ours, metadata, problems, warnings);
  if (problems.length > 0) return { problems, warnings };
  for (const problem of skillProblems(skill)) problems.push(`${problem.path || "(skill)"}: ${problem.message}`);
  return problems.length > 0 ? { problems, warnings } : { skill, problems, warnings };
}

function buildSkill(
  folder: FolderContents, body: string, fm: Record<string, unknown>, ours: Record<string, unknown>,
  metadata: Record<string, Json>, problems: string[], warnings: string[],
): SkillInput {
  const text = (key: string): string | undefined => {
    const value = ours[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string") problems.push(`metadata.${key}: must be a string, got ${typeName(value)}`);
    return typeof value === "string" ? value : undefined;
  };
  const json = (key: string): unknown => {
    const value = ours[key];
    if (typeof value !== "string") {
      if (value !== undefined) warnings.push(`metadata.${key}: should be a JSON string per the spec; read as YAML`);
      return value === undefined ? undefined : toJson(value);
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      problems.push(`metadata.${key}: is not valid JSON`);
      return undefined;
    }
  };

  const id = text(META_KEYS.id);
  if (id !== undefined && idProblem(id)) problems.push(`metadata.${META_KEYS.id}: ${idProblem(id)}`);
  const extraMetadata = json(META_KEYS.metadata);
  if (extraMetadata !== undefined && !isPlainObject(extraMetadata)) problems.push(`metadata.${META_KEYS.metadata}: must be a JSON object`);
  const extraFiles = json(META_KEYS.files);
  if (extraFiles !== undefined && !isPlainObject(extraFiles)) problems.push(`metadata.${META_KEYS.files}: must be a JSON object of path → text`);

  const files: Record<string, string> = { ...folder.files, ...(isPlainObject(extraFiles) ? (extraFiles as Record<string, string>) : {}) };
  let code = text(META_KEYS.codeText);
  const codeFile = text(META_KEYS.code);
  if (codeFile !== undefined) {
    if (code === undefined) {
      code = Object.hasOwn(files, codeFile) ? files[codeFile] : undefined;
      if (code === undefined) problems.push(`metadata.${META_KEYS.code}: names "${codeFile}", but the folder has no such text file`);
    }
    delete files[codeFile];
  }

  const fromBody = body.trim() === "" ? undefined : body;
  const skill: Record<string, unknown> = {
    id: id ?? fm["name"],
    name: text(META_KEYS.title) ?? fm["name"],
    description: text(META_KEYS.description) ?? fm["description"],
    category: text(META_KEYS.category),
    tags: json(META_KEYS.tags),
    parameters: json(META_KEYS.parameters),
    code,
    steps: json(META_KEYS.steps),
    instructions: text(META_KEYS.instructions) ?? fromBody,
    files: Object.keys(files).length > 0 || extraFiles !== undefined ? files : undefined,
    metadata: { ...metadata, ...(isPlainObject(extraMetadata) ? (extraMetadata as Record<string, Json>) : {}) },
  };
  for (const key of Object.keys(skill)) if (skill[key] === undefined) delete skill[key];
  return skill as unknown as SkillInput;
}

/** A YAML value as JSON (non-finite numbers become null). */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}
