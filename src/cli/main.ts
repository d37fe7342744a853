#!/usr/bin/env node
/** The `skill-library` command line: runs the program, reports errors, exits with 0, 1 or 2. */
import { createProgram } from "./program.js";
import { reportError } from "./report-error.js";

const { program } = createProgram();
// A closed pipe (`skill-library search "" | head -1`) ends the process quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
let exitCode: number;
try {
  await program.parseAsync();
  exitCode = typeof process.exitCode === "number" ? process.exitCode : 0;
} catch (error) {
  exitCode = reportError(error, program.opts());
}
// Everything is closed by now; exit at once (after stdout drains) rather than wait for stray timers.
process.stdout.write("", () => process.exit(exitCode));
