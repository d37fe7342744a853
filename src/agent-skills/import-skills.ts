/**
 * `import DIR`: reads a folder of Agent Skills folders (or one skill folder), checks each,
 * and saves the changed ones. A refused folder never stops the others.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import { findSkillMd, readSkillFolder } from "./read-skill-folder.js";
import { saveSkills, type SaveCandidate, type SaveReport, type SkillSaver } from "./save-skills.js";
import { skillFromFolder } from "./skill-from-folder.js";

/** A warning about one folder (the skill was imported anyway). */
export interface ImportWarning {
  source: string;
  message: string;
}

/** What `importSkills` did, per skill folder (`source` = the folder name). */
export interface ImportReport extends SaveReport {
  warnings: ImportWarning[];
}

/** Options of `importSkills`. */
export interface ImportOptions {
  /** Called after each folder is read: `(done, total)`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The skill folders in `dir`: `dir` itself when it holds a SKILL.md, else its
 * sub-folders that do (in name order). Throws `InvalidArgumentError` when `dir` is not a folder.
 */
export async function findSkillFolders(dir: string): Promise<string[]> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new InvalidArgumentError("DIR", `"${dir}" is not a folder; give a folder of skill folders or one skill folder`);
  if (await findSkillMd(root)) return [root];
  const entries = await readdir(root, { withFileTypes: true });
  const folders: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (await findSkillMd(join(root, entry.name))) folders.push(join(root, entry.name));
  }
  return folders;
}

/**
 * Imports every skill folder of `dir`. Each folder is checked against the Agent Skills
 * spec and our rules; a refused folder is reported by name with every problem. The
 * others are saved in one transaction: a changed skill as a new version, an unchanged one
 * (same hash) skipped.
 *
 * @example
 * const report = await importSkills(library, "./skills");
 * console.log(report.added.length, report.refused);
 */
export async function importSkills(library: SkillSaver, dir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const folders = await findSkillFolders(dir);
  const candidates: SaveCandidate[] = [];
  const warnings: ImportWarning[] = [];
  const refused: SaveReport["refused"] = [];
  let done = 0;
  for (const folder of folders) {
    const source = basename(folder);
    const read = await readSkillFolder(folder);
    const mapped = read.contents ? skillFromFolder(read.contents) : undefined;
    for (const message of [...read.warnings, ...(mapped?.warnings ?? [])]) warnings.push({ source, message });
    const problems = [...read.problems, ...(mapped?.problems ?? [])];
    if (mapped?.skill && problems.length === 0) candidates.push({ source, skill: mapped.skill });
    else refused.push({ source, problems });
    options.onProgress?.(++done, folders.length);
  }
  const saved = await saveSkills(library, candidates);
  return { ...saved, refused: [...refused, ...saved.refused], warnings };
}
