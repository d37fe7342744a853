/**
 * The isolated-vm bootstrap's outbox: what the child accepts as a request of a run.
 */
import { describe, expect, it } from "vitest";
import { parseIvmRequests } from "../../../src/exec/sandbox/isolated-vm/ivm-bootstrap.js";

describe("parseIvmRequests", () => {
  it("parseIvmRequests() - reads tool calls and timers in order", () => {
    expect(parseIvmRequests('[1,"echo","[1,{\\"a\\":2}]"],[2,15]')).toEqual([
      { id: 1, name: "echo", argsJson: '[1,{"a":2}]' },
      { id: 2, ms: 15 },
    ]);
  });

  it("parseIvmRequests() - drops entries of any other shape and text that is not JSON", () => {
    expect(parseIvmRequests('[1,"echo"],[2,"x",3],["3",1],{"id":4},[5,null],[6,10,1]')).toEqual([]);
    expect(parseIvmRequests("]],[[")).toEqual([]);
    expect(parseIvmRequests("")).toEqual([]);
  });
});
