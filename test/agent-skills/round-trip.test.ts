import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { validate } from "skills-ref";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportSkills } from "../../src/agent-skills/export-skills.js";
import { importSkills } from "../../src/agent-skills/import-skills.js";
import { skillFromFolder } from "../../src/agent-skills/skill-from-folder.js";
import { skillToFolder } from "../../src/agent-skills/skill-to-folder.js";
import { contentHash, openSkillLibrary, type Skill, type SkillInput, type SkillLibrary } from "../../src/index.js";
import { normalizeSkill, skillProblems } from "../../src/skill/validate-skill.js";

const TRICKY_MARKDOWN = [
  "---", "name: not-front-matter", "---", "", "# Title with `code` and *emphasis*", "",
  "```yaml", "---", "key: value", "...", "```", "", "| a | b |", "|---|---|", "| 1 | 2 |", "",
  "> quote: with colon", "- list # not a comment", "trailing spaces   ", "\ttab line", "",
  "Unicode: 日本語, العربية, emoji 🧪👩‍💻, combining é", "",
].join("\n");

/** Skills that use every field, and the edge cases of the mapping. */
const SKILLS: SkillInput[] = [
  {
    id: "nav_login_generic", name: "Generic login: any site", description: 'Logs in with "username" & password — works on most forms: try it first.',
    category: "navigation", tags: ["login", "web", "auth", "ünïcode"],
    parameters: { type: "object", properties: { url: { type: "string", format: "uri" }, retries: { type: "integer", minimum: 0 } }, required: ["url"] },
    code: "async (context, tools) => {\n  // --- not a delimiter\n  return { ok: true, url: context.url };\n}\n",
    instructions: TRICKY_MARKDOWN,
    files: {
      "references/notes.md": "# Notes\r\nWindows line ends\r\n", "assets/data/deep/x.json": '{"a": [1, 2]}',
      "scripts/helper.py": "print('hi')\n", "bom.txt": "\uFEFFstarts with a BOM", "empty.txt": "",
    },
    metadata: {
      license: "Apache-2.0", compatibility: "Node 20+", "allowed-tools": "Bash(git:*) Read", author: "ada", "plain-key": "value: with colon",
      nested: { deep: [1, { x: null, y: true }], unicode: "🧪" }, count: 3, flag: false, "skill-library.id": "a user key that looks like ours",
      multiline: "line 1\nline 2\n", dashes: "a --- b",
    },
  },
  { id: "workflow.Checkout-2", name: "Checkout", description: "Runs the checkout steps in order", steps: ["nav_login_generic", "fill_form", "pay"], tags: [] },
  { id: "plain", name: "plain", description: "Only the required fields" },
  { id: "Foo_bar", name: "Foo bar", description: "Maps to the folder foo-bar" },
  { id: "foo-bar", name: "foo-bar", description: "Also wants the folder foo-bar" },
  { id: "long_description", name: "Long", description: `${"A very long description. ".repeat(60)}End.`, instructions: "Short body" },
  { id: "empty_things", name: "Empty things", description: "Empty strings and objects", instructions: "", files: {}, steps: [], parameters: {}, metadata: {}, code: "" },
  { id: "blank_instructions", name: "Blank", description: "Whitespace-only instructions", instructions: "  \n\t\n" },
  {
    id: "odd_files", name: "Odd files", description: "Files a folder cannot hold as they are",
    code: "async () => 'has a NUL \u0000 inside'",
    files: {
      "SKILL.md": "a file named like the skill file", "a": "a file that is also a folder", "a/b": "inside a",
      "scripts/skill.js": "a user file at the default code path", "lone.txt": "lone surrogate \ud800 here", ".git/config": "skipped by imports",
      "README.md": "x", "readme.md": "same name ignoring case",
    },
    metadata: { compatibility: "x".repeat(600), license: { spdx: "MIT" }, "--- odd key": "v" },
  },
];

function contentOf(skill: Skill): Record<string, unknown> {
  const { version: _v, createdAt: _c, updatedAt: _u, stats: _s, ...content } = skill;
  return content;
}

let source: SkillLibrary;
let target: SkillLibrary;
const dir = mkdtempSync(join(tmpdir(), "skill-library-export-"));

beforeAll(async () => {
  source = await openSkillLibrary({ store: ":memory:" });
  target = await openSkillLibrary({ store: ":memory:" });
  for (const skill of SKILLS) await source.addSkill(skill);
});

afterAll(async () => {
  await source?.close();
  await target?.close();
});

describe("export then import", () => {
  it("exportSkills() - one spec-valid folder per skill (skills-ref validate)", async () => {
    const report = await exportSkills(source, dir);
    expect(report.failed).toEqual([]);
    expect(report.exported).toHaveLength(SKILLS.length);
    expect(report.exported.find((e) => e.id === "Foo_bar")?.folder).toBe("foo-bar");
    expect(report.exported.find((e) => e.id === "foo-bar")?.folder).toBe("foo-bar-2");
    const folders = readdirSync(dir).sort();
    expect(folders).toEqual(report.exported.map((e) => e.folder).sort());
    for (const folder of folders) expect(await validate(join(dir, folder)), folder).toEqual([]);
    const login = readFileSync(join(dir, "nav-login-generic", "SKILL.md"), "utf8");
    expect(login).toMatch(/^---\nname: nav-login-generic\ndescription: /);
    expect(login).toContain("\n  skill-library.id: nav_login_generic\n");
    expect(readFileSync(join(dir, "nav-login-generic", "scripts", "skill.js"), "utf8")).toBe(SKILLS[0]?.code);
  });

  it("importSkills() - into an empty store: the same content and hash for every skill", async () => {
    const report = await importSkills(target, dir);
    expect(report.refused).toEqual([]);
    expect(report.added.map((s) => s.id).sort()).toEqual(SKILLS.map((s) => s.id).sort());
    for (const { id } of SKILLS) {
      expect((await target.getVersion(id))?.hash, id).toBe((await source.getVersion(id))?.hash);
      expect(contentOf((await target.getSkill(id)) as Skill), id).toEqual(contentOf((await source.getSkill(id)) as Skill));
    }
  });

  it("importSkills() - again: every skill unchanged; a changed folder is a new version", async () => {
    const skillMd = join(dir, "plain", "SKILL.md");
    writeFileSync(skillMd, readFileSync(skillMd, "utf8").replace("Only the required fields", "Changed on disk"));
    const report = await importSkills(target, dir);
    expect(report.updated.map((s) => [s.id, s.version])).toEqual([["plain", 2]]);
    expect(report.unchanged).toHaveLength(SKILLS.length - 1);
    expect((await target.getSkill("plain"))?.description).toBe("Changed on disk");
  });

  it("exportSkills() - again into the same folder replaces the earlier export", async () => {
    const report = await exportSkills(source, dir, { ids: ["plain", "missing"] });
    expect(report.exported).toEqual([{ id: "plain", folder: "plain" }]);
    expect(report.failed.map((f) => f.id)).toEqual(["missing"]);
    expect(readFileSync(join(dir, "plain", "SKILL.md"), "utf8")).toContain("Only the required fields");
  });

  it("skillToFolder() / skillFromFolder() - lossless for arbitrary valid skills", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    const nonBlank = text.filter((s) => s.trim() !== "");
    const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const skill = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/), name: nonBlank, description: fc.oneof(nonBlank, fc.constant("x".repeat(1500))),
        category: nonBlank, tags: fc.array(nonBlank, { maxLength: 3 }), code: text, steps: fc.array(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { maxLength: 3 }),
        instructions: text, files: fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9._-]{1,6}(\/[a-zA-Z0-9._-]{1,6}){0,2}$/).filter((p) => !p.split("/").some((x) => x === "." || x === "..")), text, { maxKeys: 3 }),
        metadata: fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 12 }), fc.constant("k".repeat(1100))), json, { maxKeys: 4 }),
        parameters: fc.constantFrom({ type: "object" }, { type: "object", properties: { a: { type: "string" } } }),
      },
      { requiredKeys: ["id", "name", "description"] },
    ).filter((s) => skillProblems(s).length === 0);
    fc.assert(
      fc.property(skill, (input) => {
        const folder = skillToFolder(input as SkillInput);
        const back = skillFromFolder({ folderName: folder.folderName, skillMd: folder.skillMd, files: folder.files });
        expect(back.problems).toEqual([]);
        expect(contentHash(normalizeSkill(back.skill))).toBe(contentHash(normalizeSkill(input)));
      }),
      { numRuns: 150 },
    );
  });
});
