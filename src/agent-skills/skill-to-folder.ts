/**
 * A skill → an Agent Skills folder (SKILL.md + files), losslessly: importing the folder
 * gives back content with the same hash.
 */
import type { Json, SkillContent, SkillInput } from "../skill/skill.js";
import { normalizeSkill } from "../skill/validate-skill.js";
import { CODE_FILE, META_KEYS, META_PREFIX } from "./metadata-keys.js";
import { setOwn } from "./set-own.js";
import { formatSkillMd, isWritableKey, type FrontMatter } from "./skill-md-codec.js";
import { folderNameFor, SPEC_LIMITS } from "./spec-rules.js";

/** A skill as an Agent Skills folder, ready to write. */
export interface SkillFolder {
  /** The folder name (= the front-matter `name`). */
  folderName: string;
  /** The text of `SKILL.md`. */
  skillMd: string;
  /** Every other file: relative path with "/" → UTF-8 text (the code file included). */
  files: Record<string, string>;
  /** Things a reader should know (e.g. the SKILL.md is too large to import back). */
  warnings: string[];
}

/** Fields a stored `Skill` has that are not content. */
const NOT_CONTENT = new Set(["version", "createdAt", "updatedAt", "stats"]);

/**
 * The Agent Skills folder of a skill (a `SkillInput` or a stored `Skill`).
 *
 * @param folderName - the folder name to use; @default folderNameFor(skill.id)
 * @example
 * const folder = skillToFolder({ id: "say_hi", name: "Say hi", description: "Greets", code: "async () => 'hi'" });
 * folder.folderName;             // "say-hi"
 * folder.files["scripts/skill.js"]; // "async () => 'hi'"
 */
export function skillToFolder(skill: SkillInput, folderName = folderNameFor(skill.id)): SkillFolder {
  const content = contentOf(skill);
  const meta: Record<string, string> = {};
  const warnings: string[] = [];
  const frontMatter: FrontMatter = { name: folderName, description: content.description };

  if (content.id !== folderName) meta[META_KEYS.id] = content.id;
  if (content.name !== folderName) meta[META_KEYS.title] = content.name;
  if (content.description.length > SPEC_LIMITS.descriptionMax) {
    frontMatter.description = `${cut(content.description, SPEC_LIMITS.descriptionMax - 1).trimEnd()}…`;
    meta[META_KEYS.description] = content.description;
  }
  if (content.category !== "general") meta[META_KEYS.category] = content.category;
  if (content.tags.length > 0) meta[META_KEYS.tags] = JSON.stringify(content.tags);
  if (content.parameters !== undefined) meta[META_KEYS.parameters] = JSON.stringify(content.parameters);
  if (content.steps !== undefined) meta[META_KEYS.steps] = JSON.stringify(content.steps);

  const body = content.instructions !== undefined && content.instructions.trim() !== "" ? content.instructions : "";
  if (content.instructions !== undefined && body === "") meta[META_KEYS.instructions] = content.instructions;

  mapMetadata(content.metadata, frontMatter, meta);

  const { files, inMetadata } = placeFiles(content);
  if (inMetadata !== undefined) meta[META_KEYS.files] = JSON.stringify(inMetadata);
  if (content.code !== undefined) {
    const path = codePath(content);
    meta[META_KEYS.code] = path;
    if (isExactText(content.code)) files[path] = content.code;
    else meta[META_KEYS.codeText] = content.code;
  }

  frontMatter.metadata = meta;
  const skillMd = formatSkillMd(frontMatter, body);
  const bytes = Buffer.byteLength(skillMd);
  if (bytes > SPEC_LIMITS.skillMdBytesMax) {
    warnings.push(`SKILL.md is ${bytes} bytes, over the ${SPEC_LIMITS.skillMdBytesMax} bytes an import accepts`);
  }
  return { folderName, skillMd, files, warnings };
}

/** The first `max` UTF-16 units of `text`, without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The content fields of a skill with defaults applied (a stored Skill's extra fields dropped). */
function contentOf(skill: SkillInput): SkillContent {
  const picked = Object.fromEntries(Object.entries(skill).filter(([key]) => !NOT_CONTENT.has(key)));
  return normalizeSkill(picked, { limits: false });
}

/**
 * `license`, `compatibility` (≤ 500 chars) and `allowed-tools` strings go to the front
 * matter; other string entries to the spec `metadata`; everything else (non-strings,
 * reserved `skill-library.*` keys, keys with `---`) into one JSON entry.
 */
function mapMetadata(metadata: Record<string, Json>, frontMatter: FrontMatter, meta: Record<string, string>): void {
  const rest: Record<string, Json> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === "string" && (key === "license" || key === "allowed-tools")) frontMatter[key] = value;
    else if (typeof value === "string" && key === "compatibility" && value.length <= SPEC_LIMITS.compatibilityMax) frontMatter.compatibility = value;
    else if (typeof value === "string" && !isSpecField(key) && !key.startsWith(META_PREFIX) && !key.includes("---") && isWritableKey(key)) {
      setOwn(meta, key, value);
    }
    else setOwn(rest, key, value);
  }
  if (Object.keys(rest).length > 0) meta[META_KEYS.metadata] = JSON.stringify(rest);
}

function isSpecField(key: string): boolean {
  return key === "license" || key === "compatibility" || key === "allowed-tools";
}

/** Where `code` is written: `scripts/skill.js`, or `scripts/skill-N.js` when `files` has that path. */
export function codePath(skill: Pick<SkillInput, "files">): string {
  const taken = new Set<string>();
  for (const path of Object.keys(skill.files ?? {})) {
    const parts = path.toLowerCase().split("/");
    for (let i = 1; i <= parts.length; i++) taken.add(parts.slice(0, i).join("/"));
  }
  if (!taken.has(CODE_FILE)) return CODE_FILE;
  for (let n = 2; ; n++) {
    const path = `scripts/skill-${n}.js`;
    if (!taken.has(path)) return path;
  }
}

/**
 * Splits `files` into those written as files and those kept in metadata:
 * a root SKILL.md, text a file cannot hold exactly (NUL, lone surrogates), a path that is
 * also a folder of another path or equal to another ignoring case, a path an import skips.
 */
function placeFiles(content: SkillContent): { files: Record<string, string>; inMetadata: Record<string, string> | undefined } {
  const files: Record<string, string> = {};
  const entries = Object.entries(content.files ?? {});
  const inMetadata: Record<string, string> = {};
  const paths = entries.map(([path]) => path);
  const seen = new Set<string>();
  for (const [path, text] of entries) {
    const lower = path.toLowerCase();
    const writable = lower !== "skill.md" && !seen.has(lower) && isExactText(text) && !isSkippedPath(path)
      && !paths.some((other) => other.startsWith(`${path}/`));
    if (writable) setOwn(files, path, text);
    else setOwn(inMetadata, path, text);
    seen.add(lower);
  }
  const keep = Object.keys(inMetadata).length > 0 || (content.files !== undefined && Object.keys(content.files).length === 0);
  return { files, inMetadata: keep ? inMetadata : undefined };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a file can hold `text` exactly as UTF-8 that an import reads back as text. */
function isExactText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

/** Paths an import does not read: `.git` folders, `.DS_Store`, over-long names. */
export function isSkippedPath(path: string): boolean {
  return path.split("/").some((part) => part === ".git" || part === ".DS_Store" || Buffer.byteLength(part) > 255);
}
