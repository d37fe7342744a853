/**
 * The SKILL.md text format: YAML front matter between `---` lines, then a Markdown body.
 * This file knows the syntax only; `skill-from-folder.ts` and `skill-to-folder.ts` map
 * it to and from a skill.
 */
import { parse as parseYaml, parseDocument } from "yaml";

/** A SKILL.md split into its front matter (a YAML mapping) and its body. */
export interface ParsedSkillMd {
  /** The front-matter mapping as plain JSON-like values. */
  frontMatter: Record<string, unknown>;
  /** The Markdown after the closing `---` line, without the one blank line that separates them. */
  body: string;
}

/** The front matter to write: spec fields in spec order, then `metadata`. */
export interface FrontMatter {
  name: string;
  description: string;
  license?: string;
  compatibility?: string;
  "allowed-tools"?: string;
  metadata?: Record<string, string>;
}

/** A SKILL.md that cannot be read: no front matter, malformed YAML, not a mapping. */
export class SkillMdSyntaxError extends Error {
  override name = "SkillMdSyntaxError";
}

const DELIMITER = /^---[ \t]*$/;

/**
 * Splits and parses a SKILL.md. Throws `SkillMdSyntaxError` when the text has no front
 * matter, the YAML is malformed (duplicate keys included) or is not a mapping.
 *
 * @example
 * parseSkillMd("---\nname: x\ndescription: Does x\n---\n\n# X\n");
 * // { frontMatter: { name: "x", description: "Does x" }, body: "# X\n" }
 */
export function parseSkillMd(text: string): ParsedSkillMd {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = source.split("\n");
  if (!DELIMITER.test(stripCr(lines[0] ?? ""))) {
    throw new SkillMdSyntaxError('SKILL.md must start with YAML front matter: a "---" line, the fields, then another "---" line');
  }
  const end = lines.findIndex((line, index) => index > 0 && DELIMITER.test(stripCr(line)));
  if (end < 0) throw new SkillMdSyntaxError('the front matter of SKILL.md is not closed by a "---" line');
  const yamlText = lines.slice(1, end).join("\n");
  const document = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: false });
  const first = document.errors[0];
  if (first) throw new SkillMdSyntaxError(`malformed YAML in the front matter of SKILL.md: ${oneLine(first.message)}`);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new SkillMdSyntaxError(`malformed YAML in the front matter of SKILL.md: ${oneLine(error instanceof Error ? error.message : String(error))}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SkillMdSyntaxError("the front matter of SKILL.md must be a YAML mapping of fields (name, description, …)");
  }
  const rest = lines.slice(end + 1).join("\n");
  const body = rest.startsWith("\r\n") ? rest.slice(2) : rest.startsWith("\n") ? rest.slice(1) : rest;
  return { frontMatter: value as Record<string, unknown>, body };
}

/**
 * Writes a SKILL.md: front matter in spec order, then (when `body` is not empty) a blank
 * line and the body exactly as given. `parseSkillMd(formatSkillMd(fm, body)).body === body`.
 * The front matter never contains `---` (escaped in quoted strings), so naive readers
 * that split on it still work.
 */
export function formatSkillMd(frontMatter: FrontMatter, body: string): string {
  const lines = ["---"];
  for (const key of ["name", "description", "license", "compatibility", "allowed-tools"] as const) {
    const value = frontMatter[key];
    if (value !== undefined) lines.push(`${key}: ${yamlString(value, 2)}`);
  }
  const metadata = Object.entries(frontMatter.metadata ?? {});
  if (metadata.length > 0) {
    lines.push("metadata:");
    for (const [key, value] of metadata) lines.push(`  ${yamlKey(key)}: ${yamlString(value, 4)}`);
  }
  lines.push("---", "");
  return lines.join("\n") + (body === "" ? "" : `\n${body}`);
}

/**
 * A YAML scalar for `value`: plain when that reads back identically, a literal block
 * (`|`) for readable multi-line text, else double-quoted.
 *
 * @param indent - the indentation of a block's lines (a mapping value's column + 2)
 */
export function yamlString(value: string, indent = 2): string {
  if (isPlainSafe(value)) return value;
  return literalBlock(value, indent) ?? singleQuoted(value) ?? doubleQuoted(value);
}

/**
 * A YAML mapping key for `key`: plain, single- or double-quoted, always on one line (a key
 * cannot be a block). YAML limits such keys to 1,024 characters: keep longer ones out.
 */
export function yamlKey(key: string): string {
  if (isPlainSafe(key)) return key;
  return singleQuoted(key) ?? doubleQuoted(key);
}

/** Whether `key` can be written as a front-matter metadata key. */
export function isWritableKey(key: string): boolean {
  return yamlKey(key).length <= 1000;
}

const SINGLE_CANDIDATE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]*$/;

/** A single-quoted scalar (no escapes: readable JSON) for one-line text, or undefined. */
function singleQuoted(value: string): string | undefined {
  if (!SINGLE_CANDIDATE.test(value) || value.includes("---")) return undefined;
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return readsBack(quoted, value) ? quoted : undefined;
}

function readsBack(scalar: string, value: string): boolean {
  try {
    const parsed = parseYaml(`k: ${scalar}\n`) as unknown;
    return typeof parsed === "object" && parsed !== null && (parsed as Record<string, unknown>)["k"] === value;
  } catch {
    return false;
  }
}

const BLOCK_CANDIDATE = /^(?![ \t\n])[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]*$/;

/** A literal block scalar that reads back as `value`, or undefined when there is none. */
function literalBlock(value: string, indent: number): string | undefined {
  if (!value.includes("\n") || !BLOCK_CANDIDATE.test(value) || value.includes("---") || value.endsWith("\n\n")) return undefined;
  const clip = value.endsWith("\n");
  const lines = (clip ? value.slice(0, -1) : value).split("\n");
  const pad = " ".repeat(indent);
  const block = `|${clip ? "" : "-"}\n${lines.map((line) => (line === "" ? "" : pad + line)).join("\n")}`;
  return readsBack(block, value) ? block : undefined;
}

const PLAIN_CANDIDATE = /^[A-Za-z][^\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]*$/;

function isPlainSafe(value: string): boolean {
  if (!PLAIN_CANDIDATE.test(value) || value !== value.trim()) return false;
  if (value.includes(": ") || value.includes(" #") || value.endsWith(":") || value.includes("---")) return false;
  return readsBack(value, value);
}

/**
 * A YAML double-quoted scalar. JSON string syntax is valid YAML; characters YAML does not
 * allow raw are escaped as `\uXXXX`, and `-` before `--` as `\x2d` so no `---` appears.
 */
function doubleQuoted(value: string): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/-(?=--)/g, "\\x2d");
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").trim();
}
