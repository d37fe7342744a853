/**
 * What an engine gives the shared pool: how to spawn a member, and how the pool talks to it.
 */
import type { HostMessage, MemberMessage } from "./protocol.js";
import type { SandboxEngineName } from "./sandbox.js";

/** What the pool may do with a spawned member. */
export interface MemberHandle {
  /** Sends a message; throws if the member's channel is already closed. */
  send(message: HostMessage): void;
  /** Stops the member at once (SIGKILL, `terminate()`); idempotent. Its exit is still reported. */
  kill(): void;
}

/** Callbacks a member reports through. `exit` is called once, however the member ended. */
export interface MemberEvents {
  message(message: MemberMessage): void;
  exit(reason: string): void;
}

/** Starts one member. It must not keep the host alive (unref it) and send "ready" when warm. */
export type SpawnMember = (events: MemberEvents) => MemberHandle;

/** Options of a `MemberPool`. */
export interface MemberPoolOptions {
  engine: SandboxEngineName;
  /** Members kept warm. */
  size: number;
  spawn: SpawnMember;
  /** What a member is called in messages. */
  memberNoun: "process" | "worker";
  /** A member that is not ready this long after its spawn is killed. @default 20_000 */
  startTimeoutMs?: number;
  /** A member that does not prepare its next context this long after a run is killed. @default 2_000 */
  recycleTimeoutMs?: number;
}

/** Counts of a pool, for tests and diagnostics. */
export interface MemberPoolStats {
  members: number;
  idle: number;
  busy: number;
  queued: number;
}
