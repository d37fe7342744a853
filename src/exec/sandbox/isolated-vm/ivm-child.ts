/**
 * Entry script of an isolated-vm pool member: a child process forked with `--no-node-snapshot`
 * (isolated-vm needs it on Node 20) and a JSON IPC channel. argv[2] is the {@link MemberConfig}.
 * The child exits when its parent disconnects, so a killed host leaves no orphans.
 */
import { createRequire } from "node:module";
import { isHostMessage, type MemberConfig, type MemberMessage } from "../protocol.js";
import { IvmRunner } from "./ivm-runner.js";
import type { IvmModule } from "./ivm-types.js";

function send(message: MemberMessage): void {
  if (process.connected) process.send?.(message);
}

function fail(what: string, error: unknown): never {
  send({ type: "fatal", message: `${what}: ${error instanceof Error ? error.message : String(error)}` });
  process.exit(1);
}

process.on("disconnect", () => process.exit(0));

let runner: IvmRunner;
try {
  const config = JSON.parse(process.argv[2] ?? "") as MemberConfig;
  const ivm = createRequire(import.meta.url)("isolated-vm") as IvmModule;
  runner = new IvmRunner(ivm, config, send);
  runner.start();
} catch (error) {
  fail("isolated-vm cannot start in this process", error);
}

process.on("message", (message: unknown) => {
  if (!isHostMessage(message)) return;
  try {
    if (message.type === "run") runner.run(message);
    else runner.toolResult(message);
  } catch (error) {
    fail("the isolated-vm member failed", error);
  }
});
