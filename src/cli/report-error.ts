/**
 * Turns an error into one clear line on stderr and an exit code: 2 for bad usage
 * (commander's usage errors, `INVALID_ARGUMENT`), 1 for everything else.
 */
import { CommanderError } from "commander";
import { SkillLibraryError, SkillValidationError } from "../index.js";
import { EXIT_FAILED, EXIT_USAGE, type GlobalOptions } from "./cli-runtime.js";

/** Commander codes that are not errors (help or version was asked for). */
const NOT_ERRORS = new Set(["commander.helpDisplayed", "commander.version"]);

/**
 * Prints `error` (`error: CODE: message`; with `--json` also `{ "error": … }` on stdout;
 * the stack only with `--debug`) and returns the exit code.
 *
 * @example
 * process.exitCode = reportError(new SkillNotFoundError("x"), {}); // prints, returns 1
 */
export function reportError(error: unknown, options: GlobalOptions): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help).
    if (NOT_ERRORS.has(error.code) || error.exitCode === 0) return 0;
    return EXIT_USAGE;
  }
  const code = error instanceof SkillLibraryError ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${code ? `${code}: ` : ""}${oneLine(message)}\n`);
  if (options.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (options.json) {
    const problems = error instanceof SkillValidationError ? { problems: error.problems } : {};
    process.stdout.write(`${JSON.stringify({ error: { code: code ?? "ERROR", message, ...problems } }, null, 2)}\n`);
  }
  return code === "INVALID_ARGUMENT" ? EXIT_USAGE : EXIT_FAILED;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}
