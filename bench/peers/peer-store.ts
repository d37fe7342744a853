import type { SkillInput } from "../../src/index.js";

/**
 * The operations the peer suite compares, as each side offers them. Every side holds the
 * same generated skills and answers the same calls; what a side lacks is left undefined.
 */
export interface PeerStore {
  /** Shown in the report (e.g. "ours (SQLite file)", "LangGraph InMemoryStore"). */
  readonly name: string;
  /** What a reader must know about this side's search (what it really does). */
  readonly searchNote: string;
  /** Whether this side computes an embedding for every skill it saves. */
  readonly embeds: boolean;
  /** Saves many skills at once (the side's batch call). */
  load(skills: readonly SkillInput[]): Promise<void>;
  /** Saves one skill. */
  put(skill: SkillInput): Promise<void>;
  /** Reads one skill by id, through the side's cache when it has one. */
  get(id: string): Promise<unknown>;
  /** Reads one skill by id from the store itself (no cache). */
  getUncached(id: string): Promise<unknown>;
  /** Top 10 for a text query among the skills of one category. */
  search(query: string, category: string): Promise<unknown[]>;
  /** 10 skills of one category, no query. */
  list(category: string): Promise<unknown[]>;
  /** Frees the side's connections and files. */
  close(): Promise<void>;
}

/** The text a skill is searched by: what our lexical search reads, as one string. */
export function searchText(skill: SkillInput): string {
  return [skill.name, skill.description, (skill.tags ?? []).join(" "), skill.category ?? "general", skill.instructions ?? ""].join("\n");
}

/**
 * A skill as a LangGraph store item's value: the skill's fields plus `text` (its search text,
 * the one field the peer's embedding index reads, so both sides embed the same text once).
 */
export function skillValue(skill: SkillInput): Record<string, unknown> {
  return { ...JSON.parse(JSON.stringify(skill)), category: skill.category ?? "general", text: searchText(skill) };
}
