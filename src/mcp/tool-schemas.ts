/**
 * Input and output schemas (zod) of the MCP tools. Inputs check shapes; the library checks
 * the rest (a skill's fields, a context against the skill's `parameters`) and reports
 * every problem. Outputs describe exactly what `structuredContent` holds.
 */
import { z } from "zod";

const json = z.unknown();
const jsonObject = z.record(z.string(), z.unknown());

/** A skill's statistics. */
export const statsSchema = z.object({
  executions: z.number(),
  successes: z.number(),
  failures: z.number(),
  timeouts: z.number(),
  successRate: z.number(),
  avgDurationMs: z.number(),
  p95DurationMs: z.number(),
  lastExecutedAt: z.string().optional(),
});

/** The content fields of a skill (what `add_skill` takes). Unknown fields are kept so the library can name them. */
export const skillInputSchema = z.looseObject({
  id: z.string().describe('1-128 chars of [A-Za-z0-9_.-], starting alphanumeric, e.g. "nav_login_generic"'),
  name: z.string().describe("human title, 1-200 chars"),
  description: z.string().describe("what it does and when to use it (searched)"),
  category: z.string().optional().describe('default "general"'),
  tags: z.array(z.string()).optional(),
  parameters: jsonObject.optional().describe("JSON Schema (draft 2020-12) of the run context"),
  code: z.string().optional().describe("JavaScript source of an async function: async (context, tools) => result"),
  steps: z.array(z.string()).optional().describe("a stored workflow: skill ids run in order"),
  instructions: z.string().optional().describe("Markdown guidance for an LLM (not executable)"),
  files: z.record(z.string(), z.string()).optional().describe("other text files: relative path → UTF-8 content"),
  metadata: jsonObject.optional(),
});

/** A stored skill, as tools return it. */
export const skillSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  parameters: jsonObject.optional(),
  code: z.string().optional(),
  steps: z.array(z.string()).optional(),
  instructions: z.string().optional(),
  files: z.record(z.string(), z.string()).optional(),
  metadata: jsonObject,
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stats: statsSchema,
});

/** One saved version. */
export const skillVersionSchema = z.object({
  skillId: z.string(),
  version: z.number(),
  savedAt: z.string(),
  hash: z.string(),
});

/** One saved version with its content. */
export const versionRecordSchema = skillVersionSchema.extend({
  skill: jsonObject,
  author: z.string().optional(),
  message: z.string().optional(),
});

/** How a workflow went. */
export const workflowResultSchema = z.object({
  workflowName: z.string(),
  success: z.boolean(),
  completedSteps: z.number(),
  totalSteps: z.number(),
  steps: z.array(z.object({ skillId: z.string(), success: z.boolean(), result: json.optional(), error: z.string().optional(), durationMs: z.number() })),
  context: jsonObject,
  error: z.string().optional(),
  durationMs: z.number(),
});

const id = z.string().min(1).describe("the skill id");
const timeout = z.number().int().positive();

/** Inputs and outputs of every tool, by tool name. */
export const TOOL_SCHEMAS = {
  search_skills: {
    input: {
      query: z.string().describe('words to look for; "" lists the skills that pass the filters, most reliable first'),
      category: z.string().optional(),
      tags: z.array(z.string()).optional().describe("a skill must have all of them"),
      min_success_rate: z.number().min(0).max(1).optional().describe("0-1; above 0 leaves out never-run skills"),
      limit: z.number().int().positive().optional().describe("default 10"),
    },
    output: { skills: z.array(skillSchema) },
  },
  get_skill: { input: { id }, output: { skill: skillSchema } },
  execute_skill: {
    input: {
      id,
      context: jsonObject.optional().describe("the run context, checked against the skill's parameters schema"),
      timeout_ms: timeout.optional().describe("stop the run after this many ms (default 30000)"),
    },
    output: { result: json.describe("the skill's JSON result") },
  },
  add_skill: {
    input: {
      skill: skillInputSchema,
      expected_version: z.number().int().min(0).optional().describe("optimistic locking: the version you read; 0 = must not exist yet"),
    },
    output: skillVersionSchema.shape,
  },
  delete_skill: {
    input: { id, expected_version: z.number().int().min(0).optional() },
    output: { id: z.string(), deleted: z.boolean() },
  },
  get_version_history: { input: { id }, output: { versions: z.array(versionRecordSchema) } },
  compose_skills: {
    input: {
      ids: z.array(z.string()).describe("skill ids, run in order; each gets the initial context merged with earlier results"),
      context: jsonObject.optional(),
      workflow_name: z.string().optional(),
      timeout_per_skill_ms: timeout.optional(),
    },
    output: workflowResultSchema.shape,
  },
} as const;
