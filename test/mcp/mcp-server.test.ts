import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, ROOT, requireBuild, runCli, tempDir, tempStore } from "../cli/run-cli.js";

const TOOLS = ["search_skills", "get_skill", "execute_skill", "add_skill", "delete_skill", "get_version_history", "compose_skills"];

let client: Client;
let store: string;
const listChanged: number[] = [];
const updated: string[] = [];

function text(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  requireBuild();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== "SKILL_LIBRARY_URL") env[key] = value;
  client = new Client({ name: "skill-library-test", version: "1.0.0" });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged.push(Date.now()));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", "--store", (store = tempStore())], cwd: ROOT, env, stderr: "pipe" }));
});

afterAll(async () => {
  await client?.close();
});

describe("skill-library mcp (stdio, through the SDK client)", () => {
  it("tools/list - every tool with input and output schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
      expect(tool.description).toBeTruthy();
    }
  });

  it("add_skill - saves, returns the SkillVersion and sends list_changed", async () => {
    const before = listChanged.length;
    const result = await call("add_skill", {
      skill: {
        id: "greet", name: "Greet", description: "Says hello to someone by name", tags: ["demo"],
        parameters: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
        code: "async (ctx) => ({ greeting: `hello ${ctx.name}` })",
      },
      expected_version: 0,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ skillId: "greet", version: 1 });
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    await eventually(() => listChanged.length > before, "notifications/resources/list_changed");
  });

  it("add_skill - a stale expected_version is a VERSION_CONFLICT tool error", async () => {
    const result = await call("add_skill", { skill: { id: "greet", name: "Greet", description: "changed" }, expected_version: 0 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^VERSION_CONFLICT: /);
  });

  it("get_skill / search_skills - structured results", async () => {
    const got = await call("get_skill", { id: "greet" });
    expect(got.structuredContent).toMatchObject({ skill: { id: "greet", version: 1, tags: ["demo"] } });
    const found = await call("search_skills", { query: "say hello", limit: 5 });
    expect((found.structuredContent as { skills: { id: string }[] }).skills.map((s) => s.id)).toContain("greet");
  });

  it("get_skill - an unknown id is an isError result starting with SKILL_NOT_FOUND:", async () => {
    const result = await call("get_skill", { id: "no_such_skill" });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^SKILL_NOT_FOUND: /);
  });

  it("execute_skill - runs the code; a context refused by parameters is SKILL_INVALID", async () => {
    const ok = await call("execute_skill", { id: "greet", context: { name: "Ada" }, timeout_ms: 10_000 });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ result: { greeting: "hello Ada" } });
    const bad = await call("execute_skill", { id: "greet", context: { name: 42 } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^SKILL_INVALID: /);
  });

  it("execute_skill - an endless loop is stopped at timeout_ms: SKILL_TIMEOUT, and the server lives on", async () => {
    await call("add_skill", { skill: { id: "spin", name: "Spin", description: "Never finishes", code: "async () => { while (true) {} }" } });
    const started = Date.now();
    const result = await call("execute_skill", { id: "spin", timeout_ms: 300 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^SKILL_TIMEOUT: /);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await call("get_skill", { id: "spin" })).isError).toBeFalsy();
  });

  it("compose_skills / get_version_history - structured results", async () => {
    const workflow = await call("compose_skills", { ids: ["greet"], context: { name: "Bo" }, workflow_name: "hi" });
    expect(workflow.structuredContent).toMatchObject({ workflowName: "hi", success: true, completedSteps: 1, context: { name: "Bo", greeting: "hello Bo" } });
    const history = await call("get_version_history", { id: "greet" });
    expect(history.structuredContent).toMatchObject({ versions: [{ skillId: "greet", version: 1 }] });
  });

  it("resources - skill://<id> lists and reads as SKILL.md", async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("skill://{id}");
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(["skill://greet", "skill://spin"]));
    const read = await client.readResource({ uri: "skill://greet" });
    const content = read.contents[0] as { text: string; mimeType?: string };
    expect(content.mimeType).toBe("text/markdown");
    expect(content.text).toMatch(/^---\nname: greet\ndescription: Says hello to someone by name\n/);
    await expect(client.readResource({ uri: "skill://missing" })).rejects.toThrow(/SKILL_NOT_FOUND/);
  });

  it("resources/subscribe - a changed skill sends resources/updated; delete_skill sends list_changed", async () => {
    await client.subscribeResource({ uri: "skill://greet" });
    const changed = await call("add_skill", { skill: { id: "greet", name: "Greet", description: "Says hello, now shorter", code: "async () => 'hi'" } });
    expect(changed.structuredContent).toMatchObject({ version: 2 });
    await eventually(() => updated.includes("skill://greet"), "notifications/resources/updated");
    const before = listChanged.length;
    const deleted = await call("delete_skill", { id: "spin" });
    expect(deleted.structuredContent).toEqual({ id: "spin", deleted: true });
    await eventually(() => listChanged.length > before, "list_changed after delete");
    expect(text(await call("delete_skill", { id: "spin" }))).toMatch(/^SKILL_NOT_FOUND: /);
  });

  it("resources/updated - also for a change made by another process (the CLI)", async () => {
    await call("add_skill", { skill: { id: "shared", name: "Shared", description: "Changed from outside" } });
    await client.subscribeResource({ uri: "skill://shared" });
    const file = join(tempDir(), "shared.json");
    writeFileSync(file, JSON.stringify({ id: "shared", name: "Shared", description: "Changed by the CLI" }));
    const added = await runCli(["add", file, "--store", store]);
    expect(added.code, added.stderr).toBe(0);
    await eventually(() => updated.includes("skill://shared"), "resources/updated after an outside change", 8000);
    const read = await client.readResource({ uri: "skill://shared" });
    expect((read.contents[0] as { text: string }).text).toContain("description: Changed by the CLI");
  });

  it("bad arguments - an error result, never a crash", async () => {
    const result = await call("execute_skill", { id: 5 });
    expect(result.isError).toBe(true);
    expect((await call("get_skill", { id: "greet" })).isError).toBeFalsy();
  });
});
