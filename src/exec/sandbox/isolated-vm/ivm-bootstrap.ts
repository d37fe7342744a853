/**
 * The script each fresh isolated-vm context runs first: it turns the two `ivm.Reference`s the
 * child passes in (tool calls, timers) into plain functions and hands them to the shared prelude.
 *
 * The References never become reachable by skill code: they live only in this closure, their
 * `apply` is captured before any skill code runs, and the option objects are frozen with a null
 * prototype (so no getter the skill adds to `Object.prototype` can see or alter them — an altered
 * `result: { reference: true }` would hand the skill a Reference into the child process).
 */
import { PRELUDE_SOURCE } from "../prelude.js";

/**
 * Source of `(callRef, sleepRef) => [start, poll, wait]`: the child calls `start` and `poll`
 * synchronously (microtasks run in between, so a skill that awaits nothing from the host is done
 * after two cheap sync calls, ~0.04 ms) and awaits `wait` only when the skill still waits for a
 * tool or a timer.
 */
export const IVM_BOOTSTRAP_SOURCE = `(function (callRef, sleepRef) {
  "use strict";
  const ReflectApply = Reflect.apply;
  const frozen = (object) => Object.freeze(Object.setPrototypeOf(object, null));
  const callApply = callRef.apply, sleepApply = sleepRef.apply;
  const callOptions = frozen({ arguments: frozen({ copy: true }), result: frozen({ promise: true, copy: true }) });
  const sleepOptions = frozen({ arguments: frozen({ copy: true }), result: frozen({ promise: true, copy: true }) });
  const hostCall = (name, argsJson) => ReflectApply(callApply, callRef, [undefined, [name, argsJson], callOptions]);
  const hostSleep = (ms) => ReflectApply(sleepApply, sleepRef, [undefined, [ms], sleepOptions]);
  const run = (${PRELUDE_SOURCE})(hostCall, hostSleep);
  const promiseThen = Promise.prototype.then;
  let pending, envelope;
  return Object.freeze([
    function start(code, contextJson, toolNames, maxResultChars) {
      pending = run(code, contextJson, toolNames, maxResultChars);
      ReflectApply(promiseThen, pending, [(value) => { envelope = value; }]);
    },
    function poll() { return envelope; },
    function wait() { return pending; },
  ]);
})`;
