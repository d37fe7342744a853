/**
 * The guide's second example: five agents at once, each searching for a login skill
 * (cached) and running the best match with a timeout.
 *
 * Run it: `npm run demo` (or `npx tsx examples/concurrent-agents.ts`). It uses ./skills.db.
 */
import { pathToFileURL } from "node:url";
import { getSkillLibrary } from "skill-library";

/** One agent: search, then run the first hit with a 30 s timeout. */
async function agentTask(agentId: number): Promise<unknown> {
  const library = getSkillLibrary();
  const skills = await library.searchSkills("login", { limit: 5, useCache: true });
  const best = skills[0];
  if (!best) throw new Error("no login skill found; run examples/basic-usage.ts first");
  return library.executeSkill(best.id, { agentId, url: `https://agent-${agentId}.example.com` }, {
    timeout: 30_000,
    agentId: `agent-${agentId}`,
    tools: { openSession: async (url: string) => `session-${agentId}@${new URL(url).hostname}` },
  });
}

/** Runs five agents concurrently and prints what each got. */
export async function main(print: (line: string) => void = console.log): Promise<unknown[]> {
  const library = getSkillLibrary();
  await library.addSkill({
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
  });
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => agentTask(i)));
  results.forEach((result, i) => print(`agent ${i}: ${JSON.stringify(result)}`));
  print(`Completed ${results.length} agent tasks`);
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  await getSkillLibrary().close();
}
