/**
 * Builds {@link SandboxOutcome}s: from a prelude {@link Envelope} (inside a member) and for the
 * ends the host decides (deadline, abort, a member that died).
 */
import type { Envelope } from "./prelude.js";
import type { SandboxOutcome } from "./sandbox.js";

/** Turns what the prelude's `run` resolved with into an outcome, checking the exact result size. */
export function envelopeToOutcome(envelope: Envelope, maxResultBytes: number, isMemoryError: (envelope: Envelope) => boolean): SandboxOutcome {
  const logs = Array.isArray(envelope.l) ? envelope.l.filter((line): line is string => typeof line === "string") : [];
  if (envelope.k === "ok" && typeof envelope.r === "string") {
    const bytes = Buffer.byteLength(envelope.r);
    if (bytes > maxResultBytes) return resultSizeOutcome(`the result is ${bytes} bytes of JSON`, maxResultBytes, logs);
    return { ok: true, resultJson: envelope.r, logs };
  }
  if (envelope.k === "result-size") return resultSizeOutcome(envelope.m ?? "the result is too large", maxResultBytes, logs);
  if (isMemoryError(envelope)) return { ok: false, kind: "memory", message: "the run went over its memory limit", logs };
  const message = typeof envelope.m === "string" ? envelope.m : "the skill failed";
  return typeof envelope.s === "string" ? { ok: false, kind: "error", message, stack: envelope.s, logs } : { ok: false, kind: "error", message, logs };
}

function resultSizeOutcome(what: string, maxResultBytes: number, logs: string[]): SandboxOutcome {
  return { ok: false, kind: "result-size", message: `${what}; at most ${maxResultBytes} bytes are allowed`, logs };
}

/** The run passed its deadline (its member was stopped). */
export function timeoutOutcome(): SandboxOutcome {
  return { ok: false, kind: "timeout", message: "the run passed its deadline and was stopped", logs: [] };
}

/** The run's signal aborted it (its member was stopped). */
export function abortedOutcome(): SandboxOutcome {
  return { ok: false, kind: "aborted", message: "the run was aborted by its signal", logs: [] };
}

/** A memory-limit outcome reported by a member. */
export function memoryOutcome(message = "the run went over its memory limit"): SandboxOutcome {
  return { ok: false, kind: "memory", message, logs: [] };
}
