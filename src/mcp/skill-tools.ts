/**
 * The MCP tools over a `SkillLibrary`: search_skills, get_skill, execute_skill, add_skill,
 * delete_skill, get_version_history, compose_skills.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SkillNotFoundError } from "../errors.js";
import type { SkillLibrary } from "../library/skill-library.js";
import type { SkillInput } from "../skill/skill.js";
import type { SkillChangeNotifier } from "./skill-resources.js";
import { TOOL_SCHEMAS as S } from "./tool-schemas.js";
import { guarded, toolResult } from "./tool-result.js";

/** Registers every tool. Errors become results with `isError: true` (text `CODE: message`). */
export function registerSkillTools(server: McpServer, library: SkillLibrary, notifier: SkillChangeNotifier): void {
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    "search_skills",
    {
      title: "Search skills",
      description: "Find skills by what they do: matches name, description, tags, category and instructions (word forms too). Best match first.",
      inputSchema: S.search_skills.input,
      outputSchema: S.search_skills.output,
      annotations: readOnly,
    },
    (args) =>
      guarded(async () => {
        const skills = await library.searchSkills(args.query, {
          ...(args.category === undefined ? {} : { category: args.category }),
          ...(args.tags === undefined ? {} : { tags: args.tags }),
          ...(args.min_success_rate === undefined ? {} : { minSuccessRate: args.min_success_rate }),
          ...(args.limit === undefined ? {} : { limit: args.limit }),
        });
        return toolResult({ skills });
      }),
  );

  server.registerTool(
    "get_skill",
    {
      title: "Get a skill",
      description: "A skill by id: its fields (code, steps, parameters schema, instructions, files), version and run statistics.",
      inputSchema: S.get_skill.input,
      outputSchema: S.get_skill.output,
      annotations: readOnly,
    },
    (args) =>
      guarded(async () => {
        const skill = await library.getSkill(args.id);
        if (!skill) throw new SkillNotFoundError(args.id);
        return toolResult({ skill });
      }),
  );

  server.registerTool(
    "execute_skill",
    {
      title: "Run a skill",
      description: "Run a skill (its code in a sandbox, or its stored steps) with a JSON context and a hard timeout; returns its JSON result. The context is checked against the skill's parameters schema first.",
      inputSchema: S.execute_skill.input,
      outputSchema: S.execute_skill.output,
      annotations: { openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const result = await library.executeSkill(args.id, args.context ?? {}, args.timeout_ms === undefined ? {} : { timeout: args.timeout_ms });
        return toolResult({ result: result ?? null });
      }),
  );

  server.registerTool(
    "add_skill",
    {
      title: "Add or update a skill",
      description: "Create or replace a skill. A changed skill gets a new version; an unchanged one keeps its version. Give expected_version (0 = must not exist) to refuse a concurrent change.",
      inputSchema: S.add_skill.input,
      outputSchema: S.add_skill.output,
      annotations: { destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const skill = args.skill as unknown as SkillInput;
        const before = typeof skill.id === "string" ? await library.getVersion(skill.id) : undefined;
        const saved = await library.addSkill(skill, args.expected_version === undefined ? {} : { expectedVersion: args.expected_version });
        if (before?.version !== saved.version) await notifier.changed(saved.skillId, { listChanged: before === undefined });
        return toolResult({ ...saved });
      }),
  );

  server.registerTool(
    "delete_skill",
    {
      title: "Delete a skill",
      description: "Delete a skill (its version history is kept). Fails with SKILL_NOT_FOUND when it does not exist.",
      inputSchema: S.delete_skill.input,
      outputSchema: S.delete_skill.output,
      annotations: { destructiveHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const deleted = await library.deleteSkill(args.id, args.expected_version === undefined ? {} : { expectedVersion: args.expected_version });
        if (!deleted) throw new SkillNotFoundError(args.id);
        await notifier.changed(args.id, { listChanged: true });
        return toolResult({ id: args.id, deleted });
      }),
  );

  server.registerTool(
    "get_version_history",
    {
      title: "Version history",
      description: "Every saved version of a skill, oldest first, with its content, hash, author and message (kept after delete).",
      inputSchema: S.get_version_history.input,
      outputSchema: S.get_version_history.output,
      annotations: readOnly,
    },
    (args) =>
      guarded(async () => {
        const versions = await library.getVersionHistory(args.id);
        if (versions.length === 0) throw new SkillNotFoundError(args.id, `skill "${args.id}" has no saved versions; check the id`);
        return toolResult({ versions });
      }),
  );

  server.registerTool(
    "compose_skills",
    {
      title: "Run skills in order",
      description: "Run skills one after another; each gets the initial context with earlier plain-object results merged in. Stops at the first failure and reports it in the result (never an error for a step).",
      inputSchema: S.compose_skills.input,
      outputSchema: S.compose_skills.output,
      annotations: { openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const workflow = await library.composeSkills(args.ids, args.context ?? {}, {
          ...(args.workflow_name === undefined ? {} : { workflowName: args.workflow_name }),
          ...(args.timeout_per_skill_ms === undefined ? {} : { timeoutPerSkill: args.timeout_per_skill_ms }),
        });
        return toolResult({ ...workflow });
      }),
  );
}
