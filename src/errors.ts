/**
 * Every error the library throws on purpose: one base class with a stable `code`.
 * Messages say what happened and what to do.
 */

/** Stable, machine-readable error codes. */
export type SkillLibraryErrorCode =
  | "SKILL_NOT_FOUND"
  | "SKILL_INVALID"
  | "VERSION_CONFLICT"
  | "SKILL_TIMEOUT"
  | "SKILL_FAILED"
  | "SKILL_LIMIT"
  | "SKILL_NOT_EXECUTABLE"
  | "UNSUPPORTED"
  | "STORE_UNAVAILABLE"
  | "LIBRARY_CLOSED"
  | "ABORTED"
  | "INVALID_ARGUMENT"
  | "EMBEDDER_FAILED";

/** Base class of every error the library throws on purpose. Check `code`, not the message. */
export class SkillLibraryError extends Error {
  /** A stable code such as `"SKILL_NOT_FOUND"`. */
  readonly code: SkillLibraryErrorCode;
  constructor(code: SkillLibraryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** No skill with this id exists. */
export class SkillNotFoundError extends SkillLibraryError {
  readonly skillId: string;
  constructor(skillId: string, message = `skill "${skillId}" does not exist; check the id or add the skill first`) {
    super("SKILL_NOT_FOUND", message);
    this.skillId = skillId;
  }
}

/** One problem found in a skill or a context: where (`path`, e.g. `"tags[2]"`) and what. */
export interface ValidationProblem {
  path: string;
  message: string;
}

/** A skill or a run context was refused; `problems` lists every problem, not only the first. */
export class SkillValidationError extends SkillLibraryError {
  readonly problems: readonly ValidationProblem[];
  readonly skillId: string | undefined;
  constructor(problems: readonly ValidationProblem[], what = "skill", skillId?: string) {
    const list = problems.map((p) => `${p.path || "(root)"}: ${p.message}`).join("; ");
    super("SKILL_INVALID", `${what}${skillId ? ` "${skillId}"` : ""} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${list}`);
    this.problems = problems;
    this.skillId = skillId;
  }
}

/** Optimistic locking failed: the stored version is not the one the caller expected. */
export class VersionConflictError extends SkillLibraryError {
  readonly skillId: string;
  readonly expected: number;
  readonly actual: number;
  constructor(skillId: string, expected: number, actual: number) {
    const now = actual === 0 ? "does not exist" : `is at version ${actual}`;
    const want = expected === 0 ? "expected it not to exist" : `expected version ${expected}`;
    super("VERSION_CONFLICT", `skill "${skillId}" ${now}, you ${want}; reload it and retry`);
    this.skillId = skillId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A run hit its deadline and was stopped. */
export class SkillTimeoutError extends SkillLibraryError {
  readonly skillId: string;
  readonly timeoutMs: number;
  constructor(skillId: string, timeoutMs: number) {
    super("SKILL_TIMEOUT", `skill "${skillId}" did not finish within ${timeoutMs} ms and was stopped; raise the timeout or make the skill faster`);
    this.skillId = skillId;
    this.timeoutMs = timeoutMs;
  }
}

/** The skill threw (or a step of a workflow failed). `cause` carries the original error. */
export class SkillExecutionError extends SkillLibraryError {
  readonly skillId: string;
  constructor(skillId: string, message: string, options: { cause?: unknown; stack?: string } = {}) {
    super("SKILL_FAILED", `skill "${skillId}" failed: ${message}`, { cause: options.cause });
    this.skillId = skillId;
    if (options.stack !== undefined) this.stack = options.stack;
  }
}

/** A run went over its memory limit or returned a result over the size limit. */
export class SkillLimitError extends SkillLibraryError {
  readonly skillId: string;
  readonly limit: "memory" | "result";
  constructor(skillId: string, limit: "memory" | "result", detail: string) {
    super("SKILL_LIMIT", `skill "${skillId}" went over its ${limit} limit: ${detail}`);
    this.skillId = skillId;
    this.limit = limit;
  }
}

/** The skill has neither `code`, `steps` nor a registered handler. */
export class SkillNotExecutableError extends SkillLibraryError {
  readonly skillId: string;
  constructor(skillId: string) {
    super("SKILL_NOT_EXECUTABLE", `skill "${skillId}" has no code, no steps and no registered handler; add code or call registerHandler("${skillId}", fn)`);
    this.skillId = skillId;
  }
}

/** The store cannot do this (e.g. a sync method on PostgreSQL). */
export class UnsupportedOperationError extends SkillLibraryError {
  constructor(message: string) {
    super("UNSUPPORTED", message);
  }
}

/** The store cannot be reached or opened. `cause` carries the driver's error. */
export class StoreUnavailableError extends SkillLibraryError {
  constructor(message: string, cause?: unknown) {
    super("STORE_UNAVAILABLE", message, { cause });
  }
}

/** The library was closed; open a new one. */
export class LibraryClosedError extends SkillLibraryError {
  constructor() {
    super("LIBRARY_CLOSED", "the skill library is closed; open a new one with openSkillLibrary()");
  }
}

/** The caller's `signal` aborted the operation. */
export class AbortError extends SkillLibraryError {
  constructor(message = "the operation was aborted by its signal") {
    super("ABORTED", message);
  }
}

/** An argument or option is malformed; `argument` names it. */
export class InvalidArgumentError extends SkillLibraryError {
  readonly argument: string;
  constructor(argument: string, message: string) {
    super("INVALID_ARGUMENT", `${argument}: ${message}`);
    this.argument = argument;
  }
}

/** The `embedder` given in the options threw, or returned vectors of the wrong number or size. */
export class EmbedderError extends SkillLibraryError {
  readonly embedderId: string;
  constructor(embedderId: string, message: string, options?: { cause?: unknown }) {
    super("EMBEDDER_FAILED", `embedder "${embedderId}": ${message}`, options);
    this.embedderId = embedderId;
  }
}
