import { InvalidArgumentError, SkillValidationError } from "../errors.js";
import { indexedText } from "../search/analyzer.js";
import { canonicalJson, sha256Hex } from "../skill/content-hash.js";
import type { SkillContent, SkillInput } from "../skill/skill.js";
import { normalizeSkill } from "../skill/validate-skill.js";
import type { SaveRequest } from "../store/skill-store.js";
import { checkExpectedVersion } from "./call-options.js";

/** Options of `addSkill`. */
export interface AddSkillOptions {
  /** Check the skill first. @default true */
  validate?: boolean;
  /** Optimistic locking: the version the caller read; `0` = must not exist now. */
  expectedVersion?: number;
  /** Who saved this version. */
  author?: string;
  /** Why (a commit message for the version). */
  message?: string;
}

/** The save request of one skill: its options checked, the skill checked and normalised, its canonical JSON, hash and index terms. */
export function saveRequest(skill: SkillInput, options: AddSkillOptions): SaveRequest {
  checkExpectedVersion(options.expectedVersion);
  for (const key of ["author", "message"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") throw new InvalidArgumentError(key, "must be a string");
  }
  // validate: false skips the size limits, never the shape the store relies on.
  return requestOf(normalizeSkill(skill, { limits: options.validate ?? true }), options);
}

/** A batch's valid skills, checked and normalised one by one as they are taken; `outcome` notes each skill (by id, or `#index`). */
export function* checkedSkills(skills: readonly SkillInput[], validate: boolean, outcome: Record<string, boolean>): Generator<SkillContent> {
  for (let index = 0; index < skills.length; index++) {
    const skill = skills[index] as SkillInput;
    const raw = skill as unknown as Record<string, unknown> | null;
    const key = typeof raw?.["id"] === "string" ? (raw["id"] as string) : `#${index}`;
    let content: SkillContent;
    try {
      content = normalizeSkill(skill, { limits: validate });
    } catch (error) {
      if (!(error instanceof SkillValidationError)) throw error;
      outcome[key] = false;
      continue;
    }
    outcome[key] = true;
    yield content;
  }
}

/** The save requests of checked skills, made as they are taken, with the i-th vector for the i-th skill when given. */
export function* requestsOf(contents: Iterable<SkillContent>, embedding?: { model: string; vectors: readonly Float32Array[] }): Generator<SaveRequest> {
  let i = 0;
  for (const content of contents) {
    const request = requestOf(content, {});
    if (embedding) request.embedding = { model: embedding.model, vector: embedding.vectors[i] as Float32Array };
    i++;
    yield request;
  }
}

/** The save request of checked content: its canonical JSON, hash and index terms. */
function requestOf(content: SkillContent, options: AddSkillOptions): SaveRequest {
  const json = canonicalJson(content);
  return {
    skill: content, hash: sha256Hex(json), json, index: indexedText(content), expectedVersion: options.expectedVersion, author: options.author, message: options.message,
  };
}
