/**
 * Reads a skill folder from disk: its SKILL.md and every other text file, recursively.
 * Binary files are skipped with a warning; a SKILL.md that is too large or not text is a
 * problem. Nothing here throws for a bad folder: problems are returned.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { SKILL_LIMITS } from "../skill/validate-skill.js";
import { setOwn } from "./set-own.js";
import type { FolderContents } from "./skill-from-folder.js";
import { isSkippedPath } from "./skill-to-folder.js";
import { SPEC_LIMITS } from "./spec-rules.js";

/** A folder as read: its contents when readable, else the problems. */
export interface FolderRead {
  contents?: FolderContents;
  problems: string[];
  warnings: string[];
}

/** The SKILL.md file names a folder may use, preferred first. */
export const SKILL_MD_NAMES = ["SKILL.md", "skill.md"] as const;

/** The SKILL.md file name of a folder, or undefined when it is not a skill folder. */
export async function findSkillMd(dir: string): Promise<string | undefined> {
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  return SKILL_MD_NAMES.find((name) => names.has(name));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 text without NUL characters, or undefined for binary data. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads one skill folder.
 *
 * @example
 * const { contents, problems, warnings } = await readSkillFolder("./skills/pdf-tools");
 */
export async function readSkillFolder(dir: string): Promise<FolderRead> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const skillMdName = await findSkillMd(dir);
  if (!skillMdName) return { problems: ["SKILL.md is missing"], warnings };
  const skillMdPath = join(dir, skillMdName);
  const info = await lstat(skillMdPath);
  if (!info.isFile()) return { problems: [`${skillMdName} is not a regular file`], warnings };
  if (info.size > SPEC_LIMITS.skillMdBytesMax) {
    return { problems: [`${skillMdName} is ${info.size} bytes; at most ${SPEC_LIMITS.skillMdBytesMax} (1 MB) allowed`], warnings };
  }
  const skillMd = decodeText(await readFile(skillMdPath));
  if (skillMd === undefined) return { problems: [`${skillMdName} is not UTF-8 text (binary data)`], warnings };

  const files: Record<string, string> = {};
  let total = 0;
  const walk = async (folder: string, prefix: string): Promise<boolean> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = prefix + entry.name;
      if (relative === skillMdName || isSkippedPath(relative)) continue;
      const full = join(folder, entry.name);
      if (entry.isSymbolicLink()) warnings.push(`skipped the symbolic link ${relative}`);
      else if (entry.isDirectory()) {
        if (!(await walk(full, `${relative}/`))) return false;
      } else if (!entry.isFile()) warnings.push(`skipped ${relative}: not a regular file`);
      else {
        const size = (await lstat(full)).size;
        if (total + size > SKILL_LIMITS.filesBytesMax) {
          problems.push(`files: the folder's other files hold more than ${SKILL_LIMITS.filesBytesMax} bytes (1 MB) in all`);
          return false;
        }
        const text = decodeText(await readFile(full));
        if (text === undefined) warnings.push(`skipped the binary file ${relative}`);
        else {
          setOwn(files, relative, text);
          total += size;
        }
      }
    }
    return true;
  };
  try {
    await walk(dir, "");
  } catch (error) {
    problems.push(`cannot read the folder: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0) return { problems, warnings };
  return { contents: { folderName: basename(resolve(dir)), skillMd, files }, problems, warnings };
}
