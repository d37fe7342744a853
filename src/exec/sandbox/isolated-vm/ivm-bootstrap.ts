/**
 * The script each fresh isolated-vm context runs first. It wraps the shared prelude in one entry
 * function the child drives with synchronous calls only, and no handle into the child process
 * ever enters the context: a tool call or a timer inside the sandbox is a request left in an
 * outbox (plain text) that the child reads after each step and answers with a later step.
 *
 * Every synchronous call into an isolate ends with a microtask checkpoint, so after each step the
 * isolate is idle again (or still looping in the skill's code, which the host's deadline kills).
 */
import { PRELUDE_SOURCE } from "../prelude.js";

/** Operations of the entry function. */
export const IVM_OP = {
  /** `(op, code, contextJson, toolNamesJson, maxResultChars)`: starts the run. */
  start: 0,
  /** `(op, requestId, reply?)`: answers a request (a tool's `"1" + json` / `"0" + message`; nothing for a timer). */
  answer: 1,
  /** `(op)`: the run's envelope once it settled, else the new requests as text (see {@link parseIvmRequests}), else undefined. */
  poll: 2,
} as const;

/**
 * Source of an expression whose value is the entry function `(op, a, b, c, d)` (see
 * {@link IVM_OP}). The builtins it uses are captured before any skill code runs; the outbox is a
 * string, so no setter a skill puts on `Array.prototype` or `Object.prototype` can see or alter it.
 */
export const IVM_BOOTSTRAP_SOURCE = `(function () {
  "use strict";
  const JSONparse = JSON.parse, JSONstringify = JSON.stringify, ReflectApply = Reflect.apply, PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const waiting = Object.create(null);
  let outbox = "", nextRequest = 1;
  const request = (entry) => new PromiseCtor((resolve) => {
    const id = nextRequest++;
    waiting[id] = resolve;
    outbox += (outbox === "" ? "" : ",") + "[" + id + "," + entry + "]";
  });
  const hostCall = (name, argsJson) => request(JSONstringify("" + name) + "," + JSONstringify("" + argsJson));
  const hostSleep = (ms) => request(JSONstringify(+ms || 0));
  const run = (${PRELUDE_SOURCE})(hostCall, hostSleep);
  let envelope;
  return function entry(op, a, b, c, d) {
    if (op === ${IVM_OP.start}) {
      ReflectApply(promiseThen, run(a, b, JSONparse(c), d), [(value) => { envelope = value; }]);
    } else if (op === ${IVM_OP.answer}) {
      const resolve = waiting[a];
      if (resolve !== undefined) {
        delete waiting[a];
        resolve(b);
      }
    } else if (op === ${IVM_OP.poll}) {
      if (envelope !== undefined) return envelope;
      if (outbox === "") return undefined;
      const text = outbox;
      outbox = "";
      return text;
    }
  };
})()`;

/** A request of a run: a tool call (`name`, `argsJson`) or a timer (`ms`). */
export type IvmRequest = { id: number; name: string; argsJson: string } | { id: number; ms: number };

/** Parses the outbox text of a poll; entries of any other shape are dropped. */
export function parseIvmRequests(text: string): IvmRequest[] {
  const requests: IvmRequest[] = [];
  let entries: unknown;
  try {
    entries = JSON.parse(`[${text}]`);
  } catch {
    return requests;
  }
  if (!Array.isArray(entries)) return requests;
  for (const entry of entries as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== "number") continue;
    if (entry.length === 3 && typeof entry[1] === "string" && typeof entry[2] === "string") requests.push({ id: entry[0], name: entry[1], argsJson: entry[2] });
    else if (entry.length === 2 && typeof entry[1] === "number") requests.push({ id: entry[0], ms: entry[1] });
  }
  return requests;
}
