/**
 * What every command shares: the global options, opening and closing the library, and
 * printing (human text or `--json`).
 */
import type { Command } from "commander";
import { openSkillLibrary, type SkillLibrary } from "../index.js";

/** Options every command accepts. */
export interface GlobalOptions {
  /** The store URL (default: `$SKILL_LIBRARY_URL`, else `./skills.db`). */
  store?: string;
  /** Print machine-readable JSON on stdout. */
  json?: boolean;
  /** Print stacks with errors. */
  debug?: boolean;
}

/** The exit code of a command that ran but did not fully succeed. */
export const EXIT_FAILED = 1;
/** The exit code of bad usage. */
export const EXIT_USAGE = 2;

/** Shared helpers of the commands, bound to the root program. */
export class CliRuntime {
  constructor(private readonly program: Command) {}

  /** The global options as parsed. */
  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /**
   * Opens the library of `--store`, runs `work`, and always closes the library. `work`
   * returns the exit code (0 when it returns nothing); it is recorded in `process.exitCode`.
   */
  async withLibrary(work: (library: SkillLibrary) => Promise<number | void>): Promise<void> {
    const store = this.options.store;
    const library = await openSkillLibrary(store === undefined ? {} : { store });
    try {
      const code = (await work(library)) ?? 0;
      if (code !== 0) process.exitCode = code;
    } finally {
      await library.close();
    }
  }

  /** Prints `json` (pretty JSON) with `--json`, else the human text. */
  print(human: () => string, json: () => unknown): void {
    const text = this.options.json ? JSON.stringify(json(), null, 2) : human();
    if (text !== "") process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A `warning: …` line on stderr (not with `--json`: warnings are in the JSON). */
  warn(message: string): void {
    if (!this.options.json) process.stderr.write(`warning: ${message}\n`);
  }

  /** An `error: …` line on stderr (not with `--json`: problems are in the JSON). */
  problem(message: string): void {
    if (!this.options.json) process.stderr.write(`error: ${message}\n`);
  }
}

/** Adds "Example:" lines to a command's `--help`. */
export function withExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText("after", `\nExample${examples.length > 1 ? "s" : ""}:\n${examples.map((e) => `  $ ${e}`).join("\n")}`);
}
