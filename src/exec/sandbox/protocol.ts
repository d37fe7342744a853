/**
 * Messages between the host and a pool member (a child process or a worker thread).
 * Every message is plain JSON; both engines speak the same protocol.
 */
import type { SandboxOutcome } from "./sandbox.js";

/** Settings a member receives when it starts. */
export interface MemberConfig {
  /** Memory limit of one run's heap, in MB. */
  memoryLimitMb: number;
  /** Largest result (UTF-8 bytes of its JSON) a run may return. */
  maxResultBytes: number;
}

/** Host → member: start a run. The member must be idle ("ready"). */
export interface RunMessage {
  type: "run";
  runId: number;
  code: string;
  contextJson: string;
  toolNames: string[];
  /** Milliseconds left until the deadline when the message was sent (an in-engine backstop). */
  timeoutMs: number;
}

/** Host → member: the answer to a tool call. */
export type ToolResultMessage =
  | { type: "tool-result"; runId: number; callId: number; ok: true; json: string }
  | { type: "tool-result"; runId: number; callId: number; ok: false; message: string };

/** Any message the host sends to a member. */
export type HostMessage = RunMessage | ToolResultMessage;

/** Member → host: a fresh context is prepared and the member takes the next run. */
export interface ReadyMessage {
  type: "ready";
}

/** Member → host: the skill awaits a host tool. */
export interface ToolCallMessage {
  type: "tool-call";
  runId: number;
  callId: number;
  name: string;
  argsJson: string;
}

/**
 * Member → host: the run ended. With `ready` the member holds another prepared context and takes
 * the next run now; without, it prepares first and sends "ready" when it can.
 */
export interface DoneMessage {
  type: "done";
  runId: number;
  outcome: SandboxOutcome;
  ready: boolean;
}

/** Member → host: the member cannot work (e.g. the engine failed to load); it exits next. */
export interface FatalMessage {
  type: "fatal";
  message: string;
}

/** Any message a member sends to the host. */
export type MemberMessage = ReadyMessage | ToolCallMessage | DoneMessage | FatalMessage;

/** Answer of a host tool as the in-sandbox code receives it: `"1" + json` or `"0" + error message`. */
export function encodeToolReply(message: ToolResultMessage): string {
  return message.ok ? `1${message.json}` : `0${message.message}`;
}

/** Checks the shape of a message received from a member (members are trusted code, this guards bugs). */
export function isMemberMessage(value: unknown): value is MemberMessage {
  if (value === null || typeof value !== "object") return false;
  const type = (value as { type?: unknown }).type;
  return type === "ready" || type === "tool-call" || type === "done" || type === "fatal";
}

/** Checks the shape of a message received from the host. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (value === null || typeof value !== "object") return false;
  const type = (value as { type?: unknown }).type;
  return type === "run" || type === "tool-result";
}
