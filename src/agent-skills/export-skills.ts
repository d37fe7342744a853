/**
 * `export DIR`: writes one spec-valid Agent Skills folder per stored skill.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { SkillLibrary } from "../library/skill-library.js";
import type { Skill } from "../skill/skill.js";
import { findSkillMd } from "./read-skill-folder.js";
import { skillToFolder, type SkillFolder } from "./skill-to-folder.js";
import { uniqueFolderName } from "./spec-rules.js";

/** One exported skill and the folder it went to. */
export interface ExportedSkill {
  id: string;
  folder: string;
}

/** What `exportSkills` did. */
export interface ExportReport {
  /** The absolute path of the export folder. */
  dir: string;
  exported: ExportedSkill[];
  /** Skills that could not be written, with the reason. */
  failed: { id: string; folder: string; problems: string[] }[];
  warnings: { id: string; message: string }[];
}

/** Options of `exportSkills`. */
export interface ExportOptions {
  /** Only these skill ids (default: every skill). */
  ids?: readonly string[];
  /** Called after each skill is written: `(done, total)`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes every skill (by id order) to `dir/<folder>/`, where the folder name is derived
 * from the id (`nav_login_generic` → `nav-login-generic`; `-2`, `-3` … when two ids give
 * the same name). A folder of the same name that holds a SKILL.md (an earlier export) is
 * replaced; any other existing folder is left alone and that skill is reported as failed.
 *
 * @example
 * const report = await exportSkills(library, "./exported");
 * report.exported; // [{ id: "nav_login_generic", folder: "nav-login-generic" }, …]
 */
export async function exportSkills(
  library: Pick<SkillLibrary, "listSkills" | "getSkill">,
  dir: string,
  options: ExportOptions = {},
): Promise<ExportReport> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const report: ExportReport = { dir: root, exported: [], failed: [], warnings: [] };
  const skills = await selectSkills(library, options.ids, report);
  const taken = new Set<string>();
  let done = 0;
  for (const skill of skills) {
    const folder = skillToFolder(skill, uniqueFolderName(skill.id, taken));
    taken.add(folder.folderName);
    for (const message of folder.warnings) report.warnings.push({ id: skill.id, message });
    try {
      await writeFolder(root, folder);
      report.exported.push({ id: skill.id, folder: folder.folderName });
    } catch (error) {
      report.failed.push({ id: skill.id, folder: folder.folderName, problems: [error instanceof Error ? error.message : String(error)] });
    }
    options.onProgress?.(++done, skills.length);
  }
  return report;
}

async function selectSkills(library: Pick<SkillLibrary, "listSkills" | "getSkill">, ids: readonly string[] | undefined, report: ExportReport): Promise<Skill[]> {
  if (ids === undefined) return library.listSkills({ limit: Infinity });
  const skills: Skill[] = [];
  for (const id of [...new Set(ids)].sort()) {
    const skill = await library.getSkill(id);
    if (skill) skills.push(skill);
    else report.failed.push({ id, folder: "", problems: [`SKILL_NOT_FOUND: skill "${id}" does not exist`] });
  }
  return skills;
}

/** Writes a folder next to its target, then moves it into place (replacing an earlier export). */
async function writeFolder(root: string, folder: SkillFolder): Promise<void> {
  const target = join(root, folder.folderName);
  const exists = await mkdir(target).then(() => false, (error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") return true;
    throw error;
  });
  if (exists && !(await findSkillMd(target))) {
    throw new Error(`the folder "${folder.folderName}" already exists and is not a skill folder; remove it or export elsewhere`);
  }
  const staging = join(root, `.${folder.folderName}.tmp-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await mkdir(staging);
    await writeFile(join(staging, "SKILL.md"), folder.skillMd);
    for (const [path, text] of Object.entries(folder.files)) {
      const file = join(staging, ...path.split("/"));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
