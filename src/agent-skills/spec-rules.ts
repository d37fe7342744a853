/**
 * The rules of the Agent Skills specification (agentskills.io) that a SKILL.md folder
 * must follow, and how a skill id becomes a valid folder name.
 */

/** Limits of the Agent Skills specification. */
export const SPEC_LIMITS = {
  /** `name`: 1-64 characters. */
  nameMax: 64,
  /** `description`: 1-1,024 characters (ours allows 10,000: over 1,024 is a warning). */
  descriptionMax: 1024,
  /** `compatibility`: at most 500 characters. */
  compatibilityMax: 500,
  /** A SKILL.md over this many bytes is refused. */
  skillMdBytesMax: 1024 * 1024,
} as const;

/** The front-matter fields the specification defines. */
export const SPEC_FIELDS = ["name", "description", "license", "compatibility", "metadata", "allowed-tools"] as const;

/** A valid skill name: lowercase letters, digits and single hyphens, not at either end. */
export const SPEC_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Why `name` is not a valid Agent Skills name, or undefined when it is.
 *
 * @example
 * specNameProblem("pdf-tools"); // undefined
 * specNameProblem("PDF_tools"); // "… lowercase letters, digits and hyphens …"
 */
export function specNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `must be a string, got ${name === null ? "null" : typeof name}`;
  if (name.length === 0) return "must not be empty";
  if (name.length > SPEC_LIMITS.nameMax) return `is ${name.length} characters; at most ${SPEC_LIMITS.nameMax} allowed`;
  if (!SPEC_NAME_PATTERN.test(name)) {
    return `"${name}" is not a valid skill name: use lowercase letters, digits and hyphens, not starting or ending with a hyphen and without "--"`;
  }
  return undefined;
}

/**
 * A valid folder name derived from a skill id: lowercase, every other character → "-",
 * runs of "-" collapsed, trimmed, at most 64 characters. An id with no usable character
 * gives `"skill"`.
 *
 * @example
 * folderNameFor("nav_login_generic"); // "nav-login-generic"
 */
export function folderNameFor(id: string): string {
  const base = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SPEC_LIMITS.nameMax)
    .replace(/-+$/, "");
  return base === "" ? "skill" : base;
}

/**
 * A folder name for `id` that is not in `taken` (case-insensitively): `folderNameFor(id)`,
 * else the same with `-2`, `-3`, … (still at most 64 characters).
 */
export function uniqueFolderName(id: string, taken: ReadonlySet<string>): string {
  const base = folderNameFor(id);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const name = `${base.slice(0, SPEC_LIMITS.nameMax - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (!taken.has(name)) return name;
  }
}
