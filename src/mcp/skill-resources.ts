/**
 * Every skill as an MCP resource `skill://<id>` (its SKILL.md text), with a template, a
 * list, subscriptions and change notifications.
 */
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { skillToFolder } from "../agent-skills/skill-to-folder.js";
import type { SkillLibrary } from "../library/skill-library.js";

/** The URI of a skill's resource. */
export function skillUri(id: string): string {
  return `skill://${id}`;
}

/** MCP's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002;

/** Options of `registerSkillResources`. */
export interface SkillResourceOptions {
  /** How often subscribed skills are checked for changes made elsewhere (ms). @default 1000 */
  pollMs?: number;
}

/** Tells subscribers and clients what changed; returned by `registerSkillResources`. */
export interface SkillChangeNotifier {
  /** A skill was added, changed or deleted through this server. */
  changed(id: string, change: { listChanged: boolean }): Promise<void>;
  /** Stops the background check. */
  stop(): void;
}

/**
 * Registers the `skill://{id}` template (listing every skill) and subscription handlers.
 * Call before `connect()`: it declares the `resources.subscribe` capability.
 */
export function registerSkillResources(server: McpServer, library: SkillLibrary, options: SkillResourceOptions = {}): SkillChangeNotifier {
  server.registerResource(
    "skill",
    new ResourceTemplate("skill://{id}", {
      list: async () => ({
        resources: (await library.listSkills({ limit: Infinity })).map((skill) => ({
          uri: skillUri(skill.id),
          name: skill.id,
          title: skill.name,
          description: skill.description,
          mimeType: "text/markdown",
        })),
      }),
    }),
    { title: "Skill (SKILL.md)", description: "A skill as an Agent Skills SKILL.md: front matter and instructions", mimeType: "text/markdown" },
    async (uri, variables) => {
      const id = String(Array.isArray(variables["id"]) ? variables["id"][0] : variables["id"]);
      const skill = await library.getSkill(id);
      if (!skill) throw new McpError(RESOURCE_NOT_FOUND, `SKILL_NOT_FOUND: skill "${id}" does not exist; list the resources to see the skills`);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: skillToFolder(skill).skillMd }] };
    },
  );

  // uri → the version last seen (0: the skill does not exist).
  const subscribed = new Map<string, number>();
  const versionOf = async (uri: string) => (await library.getVersion(idOf(uri)))?.version ?? 0;
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    if (!request.params.uri.startsWith("skill://")) throw new McpError(ErrorCode.InvalidParams, `unknown resource ${request.params.uri}; subscribe to skill://<id>`);
    subscribed.set(request.params.uri, await versionOf(request.params.uri));
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const notifyIfChanged = async (uri: string) => {
    const seen = subscribed.get(uri);
    if (seen === undefined) return;
    const now = await versionOf(uri);
    if (now === seen) return;
    subscribed.set(uri, now);
    await server.server.sendResourceUpdated({ uri });
  };
  let checking = false;
  const timer = setInterval(() => {
    if (checking || subscribed.size === 0 || library.isClosed) return;
    checking = true;
    Promise.all([...subscribed.keys()].map(notifyIfChanged)).catch(() => undefined).finally(() => (checking = false));
  }, options.pollMs ?? 1000);
  timer.unref();

  return {
    async changed(id, change) {
      // A notification that cannot be sent (the client left) must not fail the tool call.
      if (change.listChanged && server.isConnected()) await server.server.sendResourceListChanged().catch(() => undefined);
      await notifyIfChanged(skillUri(id)).catch(() => undefined);
    },
    stop: () => clearInterval(timer),
  };
}

function idOf(uri: string): string {
  return uri.slice("skill://".length).replace(/\/+$/, "");
}
