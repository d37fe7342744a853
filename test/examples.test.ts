import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main as basicUsage } from "../examples/basic-usage.js";
import { main as concurrentAgents } from "../examples/concurrent-agents.js";
import { getSkillLibrary } from "../src/index.js";
import { tempDir } from "./support/stores.js";

describe("the guide's examples", () => {
  process.env["SKILL_LIBRARY_URL"] = join(tempDir(), "examples.db");
  afterAll(async () => {
    await getSkillLibrary().close();
    delete process.env["SKILL_LIBRARY_URL"];
  });

  it("basic usage: every step works, including the workflow and the version conflict", async () => {
    const lines: string[] = [];
    await basicUsage((line) => lines.push(line));
    const text = lines.join("\n");
    expect(text).toContain('execute nav_login: {"loggedIn":true,"session":"session-for-example.com"}');
    expect(text).toContain('batch add: {"say_hello":true,"broken":false}');
    expect(text).toContain('say_hello: "hello Ada"');
    expect(text).toContain("version conflict, as expected");
    expect(text).toContain("workflow: Login and Extract Workflow, success: true, completed 3/3");
  });

  it("five concurrent agents search, then run with a timeout", async () => {
    const lines: string[] = [];
    const results = await concurrentAgents((line) => lines.push(line));
    expect(results).toEqual(Array.from({ length: 5 }, (_, i) => ({ loggedIn: true, session: `session-${i}@agent-${i}.example.com` })));
    expect(lines).toContain("Completed 5 agent tasks");
    const stats = (await getSkillLibrary().getSkill("nav_login"))?.stats;
    expect(stats?.successes).toBeGreaterThanOrEqual(6);
  });
});
