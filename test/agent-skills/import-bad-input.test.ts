import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSkillFolders, importSkills, type ImportReport } from "../../src/agent-skills/import-skills.js";
import { readSkillFolder } from "../../src/agent-skills/read-skill-folder.js";
import { openSkillLibrary, type SkillLibrary } from "../../src/index.js";
import { skillMd, writeFolder } from "./write-folder.js";

const junk = Uint8Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256);

let library: SkillLibrary;
let root: string;
let report: ImportReport;

beforeAll(async () => {
  library = await openSkillLibrary({ store: ":memory:" });
  root = mkdtempSync(join(tmpdir(), "skill-library-bad-"));
  writeFolder(root, "good-one", { "SKILL.md": skillMd("good-one"), "references/guide.md": "# Guide\n" });
  writeFolder(root, "with-binary-asset", { "SKILL.md": skillMd("with-binary-asset"), "assets/logo.png": junk, "assets/latin1.txt": Uint8Array.from([0x63, 0x61, 0x66, 0xe9]) });
  writeFolder(root, "long-description", { "SKILL.md": skillMd("long-description", "word ".repeat(250).trim()) });
  writeFolder(root, "malformed-yaml", { "SKILL.md": "---\nname: malformed-yaml\ndescription: [unclosed\n---\n" });
  writeFolder(root, "missing-description", { "SKILL.md": "---\nname: missing-description\n---\nBody\n" });
  writeFolder(root, "Bad_Name", { "SKILL.md": skillMd("Bad_Name") });
  writeFolder(root, "name-mismatch", { "SKILL.md": skillMd("other-name") });
  writeFolder(root, "huge", { "SKILL.md": skillMd("huge", "Too big", "x".repeat(1024 * 1024)) });
  writeFolder(root, "binary-junk", { "SKILL.md": junk });
  writeFolder(root, "no-front-matter", { "SKILL.md": "# Just Markdown\n" });
  writeFolder(root, "bad-own-field", { "SKILL.md": "---\nname: bad-own-field\ndescription: d\nmetadata:\n  skill-library.tags: '[not json'\n  skill-library.code: scripts/missing.js\n---\n" });
  writeFolder(root, "not-a-skill", { "README.md": "no SKILL.md here" });
  writeFileSync(join(root, "loose-file.md"), "ignored");
  report = await importSkills(library, root);
});

afterAll(async () => {
  await library?.close();
});

function problemsOf(source: string): string {
  return (report.refused.find((r) => r.source === source)?.problems ?? []).join(" | ");
}

describe("importSkills() - bad input", () => {
  it("findSkillFolders() - folders with a SKILL.md; other files and folders are ignored", async () => {
    const names = (await findSkillFolders(root)).map((f) => f.split(/[\\/]/).pop());
    expect(names).not.toContain("not-a-skill");
    expect(names).toHaveLength(11);
  });

  it("importSkills() - imports the good folders, warns about spec limits and binary files", async () => {
    expect(report.added.map((s) => s.id).sort()).toEqual(["good-one", "long-description", "with-binary-asset"]);
    expect(Object.keys((await library.getSkill("with-binary-asset"))?.files ?? {})).toEqual([]);
    const warnings = report.warnings.map((w) => `${w.source}: ${w.message}`);
    expect(warnings).toContain("with-binary-asset: skipped the binary file assets/logo.png");
    expect(warnings).toContain("with-binary-asset: skipped the binary file assets/latin1.txt");
    expect(warnings.some((w) => /^long-description: description: is 1249 characters; the spec allows 1024/.test(w))).toBe(true);
    expect((await library.getSkill("good-one"))?.files).toEqual({ "references/guide.md": "# Guide\n" });
  });

  it("importSkills() - refuses each broken folder by name with its problems; nothing half-imported", async () => {
    expect(report.refused.map((r) => r.source).sort()).toEqual(
      ["Bad_Name", "bad-own-field", "binary-junk", "huge", "malformed-yaml", "missing-description", "name-mismatch", "no-front-matter"].sort(),
    );
    expect(problemsOf("malformed-yaml")).toMatch(/malformed YAML/);
    expect(problemsOf("missing-description")).toMatch(/description: is required/);
    expect(problemsOf("Bad_Name")).toMatch(/name: "Bad_Name" is not a valid skill name/);
    expect(problemsOf("name-mismatch")).toMatch(/name: "other-name" does not match the folder name "name-mismatch"/);
    expect(problemsOf("huge")).toMatch(/SKILL\.md is \d+ bytes; at most 1048576/);
    expect(problemsOf("binary-junk")).toMatch(/not UTF-8 text/);
    expect(problemsOf("no-front-matter")).toMatch(/must start with YAML front matter/);
    expect(problemsOf("bad-own-field")).toMatch(/skill-library\.tags: is not valid JSON/);
    expect(problemsOf("bad-own-field")).toMatch(/skill-library\.code: names "scripts\/missing\.js"/);
    for (const id of ["other-name", "huge", "malformed-yaml", "missing-description", "bad-own-field", "Bad_Name"]) {
      expect(await library.getSkill(id), id).toBeUndefined();
    }
    expect((await library.listSkills()).length).toBe(3);
  });

  it("readSkillFolder() - files over our 1 MB limit in all refuse the skill", async () => {
    const dir = writeFolder(root, "heavy", { "SKILL.md": skillMd("heavy"), "a.txt": "a".repeat(600_000), "b.txt": "b".repeat(600_000) });
    const read = await readSkillFolder(dir);
    expect(read.problems.join()).toMatch(/more than 1048576 bytes/);
  });

  it("importSkills() - one skill folder given directly; a missing folder is INVALID_ARGUMENT", async () => {
    const single = await importSkills(library, join(root, "good-one"));
    expect(single.unchanged.map((s) => s.id)).toEqual(["good-one"]);
    await expect(importSkills(library, join(root, "absent"))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
