/**
 * The guide's first example, in TypeScript: add, get (cached), search, run with a timeout,
 * batch add and batch run, optimistic locking with version history, and a workflow.
 *
 * Run it: `npm run demo` (or `npx tsx examples/basic-usage.ts`). It uses ./skills.db.
 */
import { pathToFileURL } from "node:url";
import { VersionConflictError, getSkillLibrary, type SkillInput } from "skill-library";

const skills: SkillInput[] = [
  {
    id: "nav_login",
    name: "Log in to a website",
    description: "Logs in to a website with a username and password and reports the session it got.",
    category: "browser",
    tags: ["auth", "login"],
    parameters: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
    code: `async (context, tools) => {
      const session = await tools.openSession(context.url);
      return { loggedIn: true, session };
    }`,
  },
  {
    id: "extract_data",
    name: "Extract page data",
    description: "Extracts the rows of the data table on the current page.",
    category: "data",
    tags: ["scrape", "table"],
    code: `async (context) => ({ rows: [{ session: context.session, item: "widget", price: 9.5 }] })`,
  },
  {
    id: "save_results",
    name: "Save results",
    description: "Counts and saves extracted rows.",
    category: "data",
    tags: ["storage"],
    code: `async (context) => ({ saved: context.rows.length })`,
  },
];

/** Runs the example against the shared library, printing what happens. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const library = getSkillLibrary();

  // Writes get exclusive access; an unchanged skill keeps its version.
  for (const skill of skills) await library.addSkill(skill, { author: "basic-usage" });

  // Reads are concurrent and cached.
  const [login, extract] = await Promise.all([library.getSkill("nav_login"), library.getSkill("extract_data")]);
  print(`get: ${login?.id} v${login?.version}, ${extract?.id} v${extract?.version}`);

  const found = await library.searchSkills("login to website", { useCache: true });
  print(`search "login to website": ${found.map((s) => s.id).join(", ")}`);

  // Run with a timeout (ms); the skill calls a host tool.
  const tools = { openSession: async (url: string) => `session-for-${new URL(url).hostname}` };
  const result = await library.executeSkill("nav_login", { url: "https://example.com" }, { timeout: 30_000, tools });
  print(`execute nav_login: ${JSON.stringify(result)}`);

  // Batch add: refused skills are false, the rest are saved.
  const added = await library.batchAddSkills([
    { id: "say_hello", name: "Say hello", description: "Greets someone by name.", code: "async ({ name }) => `hello ${name}`" },
    { id: "broken", name: "", description: "has no name" },
  ]);
  print(`batch add: ${JSON.stringify(added)}`);

  // Batch run, at most 10 at once; never rejects for one failure.
  const runs = await library.batchExecuteSkills(
    [["say_hello", { name: "Ada" }], ["save_results", { rows: [1, 2, 3] }], ["no_such_skill", {}]],
    { timeout: 30_000, maxConcurrent: 10 },
  );
  for (const [id, value, error] of runs) print(`  ${id}: ${error ? `failed: ${error.message}` : JSON.stringify(value)}`);

  // Optimistic locking: update with the version you read; a stale version is refused.
  const current = await library.getVersion("say_hello");
  print(`current version of say_hello: ${current?.version}`);
  const greeting = `Greets someone by name (revised ${new Date().toISOString()}).`;
  const updated = await library.addSkill(
    { id: "say_hello", name: "Say hello", description: greeting, code: "async ({ name }) => `hello ${name}`" },
    { expectedVersion: current?.version, message: "clearer description" },
  );
  try {
    await library.addSkill({ id: "say_hello", name: "Say hi", description: "A stale edit." }, { expectedVersion: current?.version });
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    print(`version conflict, as expected: ${error.message}`);
  }
  const history = await library.getVersionHistory("say_hello");
  print(`say_hello is at v${updated.version}; last versions: ${history.slice(-3).map((v) => `v${v.version} ${v.savedAt}`).join(" | ")}`);

  // A workflow: each step gets the running context.
  const workflow = await library.composeSkills(["nav_login", "extract_data", "save_results"], { url: "https://example.com" }, {
    workflowName: "Login and Extract Workflow",
    timeoutPerSkill: 30_000,
    tools,
  });
  print(`workflow: ${workflow.workflowName}, success: ${workflow.success}, completed ${workflow.completedSteps}/${workflow.totalSteps}`);
  if (!workflow.success) print(`  (stopped: ${workflow.error})`);

  const stats = (await library.getSkill("nav_login"))?.stats;
  print(`nav_login stats: ${stats?.executions} runs, success rate ${stats?.successRate.toFixed(2)}, p95 ${stats?.p95DurationMs.toFixed(1)} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  await getSkillLibrary().close();
}
