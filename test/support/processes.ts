import { fileURLToPath } from "node:url";
import { startJsonLinesChild, type JsonLinesChild } from "./json-lines-child.js";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));

/** A child process running `test/support/child.mjs`, with its JSON events as they come. */
export type Child = JsonLinesChild;

/** Starts a child that acts on the store with `command`. */
export function startChild(command: string, store: string, ...args: string[]): Child {
  return startJsonLinesChild([CHILD, command, store, ...args], `child "${command}"`);
}
