import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { skillMd, writeFolder } from "../agent-skills/write-folder.js";
import { ROOT, requireBuild, runCli, tempDir, tempStore } from "./run-cli.js";

const EVAL = join(ROOT, "..", "shared", "eval", "agent-skills");
const present = existsSync(EVAL);
if (!present) console.warn(`notice: ${EVAL} is absent; skipping the CLI import of real-world Agent Skills`);

beforeAll(() => requireBuild());

describe("skill-library import / export", () => {
  it("import - good folders are saved, broken ones refused by name: exit 1", async () => {
    const store = tempStore();
    const dir = tempDir();
    writeFolder(dir, "good-one", { "SKILL.md": skillMd("good-one"), "scripts/run.sh": "echo hi\n" });
    writeFolder(dir, "malformed-yaml", { "SKILL.md": "---\nname: malformed-yaml\ndescription: : :\n  - x\n---\n" });
    writeFolder(dir, "missing-description", { "SKILL.md": "---\nname: missing-description\n---\n" });
    const result = await runCli(["import", dir, "--store", store]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("added      good-one (version 1)");
    expect(result.stdout).toContain("imported 3 skills: 1 added, 0 updated, 0 unchanged, 2 refused");
    expect(result.stderr).toMatch(/^error: malformed-yaml: refused: malformed YAML/m);
    expect(result.stderr).toMatch(/^error: missing-description: refused: description: is required/m);
    const got = await runCli(["get", "good-one", "--json", "--store", store]);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: "good-one", files: { "scripts/run.sh": "echo hi\n" }, instructions: "# Body\n" });
    expect((await runCli(["get", "missing-description", "--store", store])).code).toBe(1);
  });

  it("import / add - a missing folder is bad usage (exit 2); add takes a skill folder", async () => {
    const store = tempStore();
    expect((await runCli(["import", join(tempDir(), "absent"), "--store", store])).code).toBe(2);
    expect((await runCli(["add", join(tempDir(), "absent.json"), "--store", store])).code).toBe(2);
    const dir = tempDir();
    const folder = writeFolder(dir, "solo", { "SKILL.md": skillMd("solo") });
    const added = await runCli(["add", folder, "--json", "--store", store]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ added: [{ id: "solo", source: "solo", version: 1 }], refused: [] });
  });

  it.skipIf(!present)("import the real-world folders, export them: spec-valid, re-import unchanged", async () => {
    const store = tempStore();
    const folders = readdirSync(EVAL, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const first = await runCli(["import", EVAL, "--store", store]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`imported ${folders.length} skills: ${folders.length} added, 0 updated, 0 unchanged, 0 refused`);
    expect(first.stderr).toMatch(/^warning: claude-api: description: is \d+ characters; the spec allows 1024/m);

    const out = join(tempDir(), "exported");
    const exported = await runCli(["export", out, "--json", "--store", store]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(exported.stdout) as { exported: unknown[] }).exported).toHaveLength(folders.length);
    // The reference validator's own command line accepts the folder whose original it refuses.
    const validator = spawnSync(process.execPath, [join(ROOT, "node_modules", "skills-ref", "dist", "cli.js"), "validate", join(out, "claude-api")], { encoding: "utf8" });
    expect(validator.status, validator.stderr + validator.stdout).toBe(0);

    const again = await runCli(["import", out, "--json", "--store", store]);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { unchanged: unknown[]; added: unknown[]; updated: unknown[] };
    expect([report.unchanged.length, report.added.length, report.updated.length]).toEqual([folders.length, 0, 0]);
  });

  it("export - an empty store exports nothing and succeeds", async () => {
    const result = await runCli(["export", join(tempDir(), "none"), "--store", tempStore()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^exported 0 skills to /);
  });
});
