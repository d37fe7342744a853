/**
 * skill-library: the shared, durable skill memory for AI agents.
 * @packageDocumentation
 */
export { getSkillLibrary, openSkillLibrary } from "./library/open-library.js";
export { SkillLibrary, type AddSkillOptions } from "./library/skill-library.js";
export type { SkillLibraryOptions, SandboxSettings } from "./library/library-options.js";
export type { SearchOptions, ListOptions } from "./library/call-options.js";
export type { ExecuteOptions, SkillHandler } from "./exec/executor.js";
export type { Tools } from "./exec/tools.js";
export type { ComposeOptions, WorkflowResult, WorkflowStepResult } from "./workflow/compose-skills.js";
export { AsyncRWLock, type LockRelease, type LockOptions } from "./lock/async-rw-lock.js";
export { SkillCache, type SkillCacheOptions, type CacheStats } from "./cache/skill-cache.js";
export {
  SkillLibraryError, SkillNotFoundError, SkillValidationError, VersionConflictError, SkillTimeoutError,
  SkillExecutionError, SkillLimitError, SkillNotExecutableError, UnsupportedOperationError, StoreUnavailableError,
  LibraryClosedError, AbortError, InvalidArgumentError, EmbedderError,
  type SkillLibraryErrorCode, type ValidationProblem,
} from "./errors.js";
export type {
  Skill, SkillInput, SkillStats, SkillVersion, VersionRecord, Embedder, Json, JsonSchema,
} from "./skill/skill.js";
export { contentHash, canonicalJson } from "./skill/content-hash.js";
