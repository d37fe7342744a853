import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validate } from "skills-ref";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportSkills } from "../../src/agent-skills/export-skills.js";
import { importSkills, type ImportReport } from "../../src/agent-skills/import-skills.js";
import { META_KEYS } from "../../src/agent-skills/metadata-keys.js";
import { parseSkillMd } from "../../src/agent-skills/skill-md-codec.js";
import { openSkillLibrary, type SkillLibrary } from "../../src/index.js";

/** Real-world skill folders, beside the repository (never copied into it). */
const EVAL = fileURLToPath(new URL("../../../shared/eval/agent-skills", import.meta.url));
const present = existsSync(EVAL);
if (!present) console.warn(`notice: ${EVAL} is absent; skipping the real-world Agent Skills tests`);
const FOLDERS = present ? readdirSync(EVAL, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];

let library: SkillLibrary;
let again: SkillLibrary;
let report: ImportReport;
const out = mkdtempSync(join(tmpdir(), "skill-library-eval-"));

describe.skipIf(!present)("real-world Agent Skills folders", () => {
  beforeAll(async () => {
    library = await openSkillLibrary({ store: ":memory:" });
    again = await openSkillLibrary({ store: ":memory:" });
    report = await importSkills(library, EVAL);
  });

  afterAll(async () => {
    await library?.close();
    await again?.close();
  });

  it("importSkills() - every folder imports; an over-long description is only a warning", async () => {
    expect(report.refused).toEqual([]);
    expect(report.added.map((s) => s.id).sort()).toEqual(FOLDERS);
    for (const warning of report.warnings) expect(warning.message).toMatch(/the spec allows 1024/);
    expect(report.warnings.map((w) => w.source)).toContain("claude-api");
    const claude = await library.getSkill("claude-api");
    expect(claude?.description.length).toBeGreaterThan(1024);
    expect(claude?.metadata["license"]).toBe("Complete terms in LICENSE.txt");
    expect(Object.keys(claude?.files ?? {})).toContain("LICENSE.txt");
  });

  it("exportSkills() - every folder is spec-valid and equivalent to the original SKILL.md", async () => {
    const exported = await exportSkills(library, out);
    expect(exported.failed).toEqual([]);
    for (const name of FOLDERS) {
      expect(await validate(join(out, name)), name).toEqual([]);
      const original = parseSkillMd(readFileSync(join(EVAL, name, "SKILL.md"), "utf8"));
      const copy = parseSkillMd(readFileSync(join(out, name, "SKILL.md"), "utf8"));
      expect(copy.body, name).toBe(original.body);
      const { metadata, ...fields } = copy.frontMatter as { metadata?: Record<string, string> };
      if (typeof original.frontMatter["description"] === "string" && original.frontMatter["description"].length > 1024) {
        expect(metadata?.[META_KEYS.description], name).toBe(original.frontMatter["description"]);
        expect({ ...fields, description: original.frontMatter["description"] }, name).toEqual(original.frontMatter);
      } else {
        expect(metadata, name).toBeUndefined();
        expect(fields, name).toEqual(original.frontMatter);
      }
      for (const file of readdirSync(join(EVAL, name), { recursive: true, withFileTypes: true })) {
        if (!file.isFile() || (file.name === "SKILL.md" && file.parentPath === join(EVAL, name))) continue;
        const relative = join(file.parentPath, file.name).slice(join(EVAL, name).length + 1);
        expect(readFileSync(join(out, name, relative), "utf8"), `${name}/${relative}`).toBe(readFileSync(join(EVAL, name, relative), "utf8"));
      }
    }
  });

  it("importSkills() - the export into an empty store gives the same hashes", async () => {
    const back = await importSkills(again, out);
    expect(back.refused).toEqual([]);
    expect(back.warnings).toEqual([]);
    for (const name of FOLDERS) expect((await again.getVersion(name))?.hash, name).toBe((await library.getVersion(name))?.hash);
  });
});
