/**
 * The `metadata` keys of a SKILL.md under which our own fields travel. Spec metadata values
 * are strings: JSON values are JSON-encoded.
 */
export const META_KEYS = {
  /** The exact skill id, when it differs from the folder name. */
  id: "skill-library.id",
  /** `name` (the human title), when it differs from the folder name. */
  title: "skill-library.title",
  /** The full description, when it is over the spec's 1,024 characters. */
  description: "skill-library.description",
  /** `category`, when it is not "general". */
  category: "skill-library.category",
  /** `tags` as a JSON array, when there are any. */
  tags: "skill-library.tags",
  /** `parameters` as JSON. */
  parameters: "skill-library.parameters",
  /** `steps` as a JSON array. */
  steps: "skill-library.steps",
  /** The relative path of the file holding `code` (usually `scripts/skill.js`). */
  code: "skill-library.code",
  /** The code itself, only when a file cannot hold it exactly (NUL characters, lone surrogates). */
  codeText: "skill-library.code-text",
  /** `instructions` that a Markdown body cannot hold (empty or only whitespace). */
  instructions: "skill-library.instructions",
  /** A JSON object of metadata entries that are not plain strings (or use a reserved key). */
  metadata: "skill-library.metadata",
  /** A JSON object of files that cannot be written as files (path → text). */
  files: "skill-library.files",
} as const;

/** The prefix of every key above. */
export const META_PREFIX = "skill-library.";

/** The default file that holds a skill's `code`. */
export const CODE_FILE = "scripts/skill.js";
