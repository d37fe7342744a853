import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import { requireBuild, runCli, tempDir, tempStore } from "./run-cli.js";

const greet = {
  id: "greet", name: "Greet", description: "Says hello to someone by name", category: "social", tags: ["demo", "text"],
  parameters: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  code: "async (ctx) => ({ greeting: `hello ${ctx.name}` })",
};
const spin = { id: "spin", name: "Spin", description: "Loops forever", code: "async () => { while (true) {} }" };

let store: string;
let dir: string;

beforeAll(async () => {
  requireBuild();
  store = tempStore();
  dir = tempDir();
  writeFileSync(join(dir, "skills.json"), JSON.stringify([greet, spin]));
  const added = await runCli(["add", join(dir, "skills.json"), "--store", store]);
  expect(added.code, added.stderr).toBe(0);
});

describe("skill-library CLI", () => {
  it("--help - lists every command; each command's help has an example", async () => {
    const root = await runCli(["--help"]);
    expect(root.code).toBe(0);
    const commands = ["demo", "add", "get", "search", "run", "history", "restore", "delete", "stats", "import", "export", "mcp"];
    for (const command of commands) expect(root.stdout).toContain(`  ${command}`);
    const { program } = createProgram();
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...commands].sort());
    for (const command of program.commands) {
      let help = "";
      command.configureOutput({ writeOut: (text) => (help += text) });
      command.outputHelp();
      expect(help, command.name()).toMatch(/Examples?:\n {2}\$ skill-library /);
    }
    const one = await runCli(["import", "--help"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("$ skill-library import ./skills");
  });

  it("bad usage - exit code 2 with one error line", async () => {
    const results = await Promise.all([
      runCli([]),
      runCli(["frobnicate"]),
      runCli(["search", "x", "--limit", "lots", "--store", store]),
      runCli(["run", "greet", "--context", "{not json", "--store", store]),
      runCli(["restore", "greet", "two", "--store", store]),
      runCli(["get", "--store", store]),
      runCli(["get", "greet", "--store", "mysql://nope"]),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    expect(results[1]?.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    expect(results[3]?.stderr).toMatch(/^error: option '--context <json>' argument '\{not json' is invalid/);
    expect(results[6]?.stderr).toMatch(/^error: INVALID_ARGUMENT: store: /);
  });

  it("add - reports added / unchanged / refused; exit 1 when any is refused", async () => {
    const file = join(dir, "mixed.json");
    writeFileSync(file, JSON.stringify([greet, { id: "new_one", name: "New", description: "A new skill" }, { id: "bad id!", name: "", description: "x" }]));
    const result = await runCli(["add", file, "--store", store, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, { id?: string; source: string; problems?: string[] }[]>;
    expect(report["unchanged"]?.map((s) => s.id)).toEqual(["greet"]);
    expect(report["added"]?.map((s) => s.id)).toEqual(["new_one"]);
    expect(report["refused"]?.[0]).toMatchObject({ source: "mixed.json[2]", id: "bad id!" });
    expect(report["refused"]?.[0]?.problems?.length).toBeGreaterThanOrEqual(2);
  });

  it("get - readable text, --json, and SKILL_NOT_FOUND as one line with exit 1 (stack only with --debug)", async () => {
    const [text, json, missing, debug] = await Promise.all([
      runCli(["get", "greet", "--store", store]),
      runCli(["get", "greet", "--json", "--store", store]),
      runCli(["get", "nope", "--store", store]),
      runCli(["get", "nope", "--debug", "--store", store]),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^greet {2}\(version 1\)/);
    expect(text.stdout).toContain("Tags:");
    expect(JSON.parse(json.stdout)).toMatchObject({ id: "greet", version: 1, category: "social" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: SKILL_NOT_FOUND: skill "nope" does not exist; check the id or add the skill first\n');
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("search - filters by category, tag, limit; --json gives { skills }", async () => {
    const [hit, none, table] = await Promise.all([
      runCli(["search", "hello", "--category", "social", "--tag", "demo", "--tag", "text", "--limit", "3", "--json", "--store", store]),
      runCli(["search", "hello", "--tag", "absent", "--store", store]),
      runCli(["search", "", "--store", store]),
    ]);
    expect(hit.code).toBe(0);
    expect((JSON.parse(hit.stdout) as { skills: { id: string }[] }).skills.map((s) => s.id)).toEqual(["greet"]);
    expect(none.stdout.trim()).toBe("no skills found");
    expect(table.stdout).toMatch(/^ID\s+CATEGORY\s+SUCCESS\s+RUNS\s+DESCRIPTION/);
  });

  it("run - --context JSON or @file; refused context, a timeout: exit 1", async () => {
    const inline = await runCli(["run", "greet", "--context", '{"name":"Ada"}', "--timeout", "10000", "--store", store]);
    expect(inline.code, inline.stderr).toBe(0);
    expect(JSON.parse(inline.stdout)).toEqual({ greeting: "hello Ada" });
    const file = join(dir, "context.json");
    writeFileSync(file, JSON.stringify({ name: "Bo" }));
    const fromFile = await runCli(["run", "greet", "--context", `@${file}`, "--json", "--store", store]);
    expect(JSON.parse(fromFile.stdout)).toEqual({ result: { greeting: "hello Bo" } });
    const refused = await runCli(["run", "greet", "--context", '{"name":1}', "--store", store]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: SKILL_INVALID: /);
    const started = Date.now();
    const timeout = await runCli(["run", "spin", "--timeout", "300", "--store", store]);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/^error: SKILL_TIMEOUT: skill "spin" did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stats - a table of runs, success rate and p95; --json for one skill", async () => {
    const table = await runCli(["stats", "--store", store]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+RUNS\s+SUCCESS RATE\s+FAILURES\s+TIMEOUTS\s+AVG\s+P95\s+LAST RUN/);
    expect(table.stdout).toMatch(/\ngreet\s+2\s+100%/);
    const one = await runCli(["stats", "spin", "--json", "--store", store]);
    expect(JSON.parse(one.stdout)).toMatchObject({ id: "spin", stats: { executions: 1, timeouts: 1, failures: 1 } });
  });

  it("history / restore / delete - versions survive delete; restore brings a skill back", async () => {
    const file = join(dir, "v2.json");
    writeFileSync(file, JSON.stringify({ ...greet, description: "Says hello, version two" }));
    expect((await runCli(["add", file, "--store", store])).stdout).toContain("updated    greet (version 2)");
    const deleted = await runCli(["delete", "greet", "--store", store]);
    expect(deleted.stdout.trim()).toBe("deleted greet");
    expect((await runCli(["delete", "greet", "--store", store])).code).toBe(1);
    const history = await runCli(["history", "greet", "--json", "--store", store]);
    expect((JSON.parse(history.stdout) as { versions: { version: number }[] }).versions.map((v) => v.version)).toEqual([1, 2]);
    const restored = await runCli(["restore", "greet", "1", "--store", store]);
    expect(restored.stdout.trim()).toBe("restored greet version 1 as version 3");
    const table = await runCli(["history", "greet", "--store", store]);
    expect(table.stdout).toMatch(/^VERSION\s+SAVED AT\s+HASH/);
    expect((await runCli(["history", "never_was", "--store", store])).code).toBe(1);
  });

  it("SKILL_LIBRARY_URL - chooses the store when --store is absent", async () => {
    const result = await runCli(["get", "spin", "--json"], { env: { SKILL_LIBRARY_URL: store } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: "spin" });
  });
});
