/**
 * Host side of an isolated-vm member: forks the child process that runs {@link IvmRunner}.
 */
import { fork } from "node:child_process";
import { hostPriority, lowerMemberPriority } from "../member-priority.js";
import type { EntryScript } from "../../../entry-script.js";
import { memberEnv } from "../member-env.js";
import type { MemberEvents, MemberHandle, SpawnMember } from "../member.js";
import { isMemberMessage, type MemberConfig } from "../protocol.js";

/** Last characters of a child's stderr kept to explain a crash. */
const STDERR_TAIL = 2_000;

/**
 * Returns a spawner of isolated-vm child processes. Children and their IPC channels are unref'd
 * (the pool's run timers keep the host alive while a run is pending, nothing else does), and run
 * at a lower CPU priority than the host (see member-priority.ts).
 */
export function spawnIvmProcess(script: EntryScript, config: MemberConfig): SpawnMember {
  // --expose-gc lets the child collect between runs (see ivm-runner.ts); the prelude hides `gc`.
  const execArgv = ["--no-node-snapshot", "--expose-gc"];
  const hostNice = hostPriority();
  return (events: MemberEvents): MemberHandle => {
    const child = fork(script.path, [JSON.stringify(config)], {
      execArgv,
      serialization: "json",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: memberEnv(),
    });
    // Right after the fork, before Node in the child boots (that boot is most of a spawn's CPU).
    if (child.pid !== undefined) lowerMemberPriority(child.pid, hostNice);
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    child.on("message", (message: unknown) => {
      if (isMemberMessage(message)) events.message(message);
    });
    child.on("error", () => {
      // A send to a dying child or a failed kill; the "exit" event reports the end.
    });
    child.once("exit", (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${String(code)}`;
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      events.exit(tail ? `${how}: ${tail}` : how);
    });
    // After the listeners (a "message" listener may ref the channel again).
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child.unref();
    (child.channel as { unref?: () => void } | null | undefined)?.unref?.();
    return {
      send(message) {
        if (!child.connected) throw new Error("the child process is disconnected");
        child.send(message);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      },
    };
  };
}
