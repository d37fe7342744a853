import { describe, expect, it } from "vitest";
import { SkillValidationError } from "../../src/errors.js";
import { canonicalJson, contentHash } from "../../src/skill/content-hash.js";
import { normalizeSkill, skillProblems } from "../../src/skill/validate-skill.js";

describe("normalizeSkill()", () => {
  it("applies the defaults", () => {
    const skill = normalizeSkill({ id: "a", name: "A", description: "does a" });
    expect(skill).toEqual({ id: "a", name: "A", description: "does a", category: "general", tags: [], metadata: {} });
  });

  it("lists every problem with its field, not only the first", () => {
    const bad = { id: "-bad id", name: 42, description: "x".repeat(10_001), tags: ["ok", 3, ""], steps: "a", files: { "../x": "y" }, extra: 1 };
    let error: unknown;
    try {
      normalizeSkill(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SkillValidationError);
    const validation = error as SkillValidationError;
    expect(validation.code).toBe("SKILL_INVALID");
    expect(validation.problems.map((p) => p.path).sort()).toEqual(
      ["description", "extra", 'files["../x"]', "id", "name", "steps", "tags[1]", "tags[2]"].sort(),
    );
    expect(validation.message).toContain("10001 chars; at most 10000");
  });

  it("refuses non-objects, missing fields and a parameters schema that does not compile", () => {
    expect(skillProblems(null)).toEqual([{ path: "", message: "a skill must be an object, got null" }]);
    expect(skillProblems({}).map((p) => p.path)).toEqual(["id", "name", "description"]);
    const problems = skillProblems({ id: "a", name: "A", description: "d", parameters: { type: "no-such-type" } });
    expect(problems.map((p) => p.path)).toEqual(["parameters"]);
  });

  it("refuses values that are not JSON in metadata", () => {
    const problems = skillProblems({ id: "a", name: "A", description: "d", metadata: { when: new Date(), n: Number.NaN } });
    expect(problems.map((p) => p.path)).toEqual(["metadata.when", "metadata.n"]);
  });
});

describe("contentHash()", () => {
  it("is equal for equal content in any key order and differs on any change", () => {
    const a = normalizeSkill({ id: "a", name: "A", description: "d", metadata: { x: 1, y: [1, { b: 2, a: 1 }] } });
    const b = normalizeSkill({ metadata: { y: [1, { a: 1, b: 2 }], x: 1 }, description: "d", name: "A", id: "a" });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ ...a, name: "B" })).not.toBe(contentHash(a));
  });

  it("is one JSON.stringify of a normalised skill, whose keys are sorted at every level", () => {
    const skill = normalizeSkill({
      tags: ["b", "a"], name: "N", id: "x", description: "d", steps: ["s"], files: { "b.md": "B", "a.md": "A" },
      parameters: { type: "object", properties: { z: { type: "string" }, a: { type: "number" } } }, metadata: { k: [{ y: 1, x: 2 }], "10": 1, "9": 2 },
    });
    expect(canonicalJson(skill)).toBe(JSON.stringify(skill));
    // Integer-like keys come first, in numeric order, as they always have: stored hashes depend on it.
    expect(canonicalJson(skill)).toBe(
      '{"category":"general","description":"d","files":{"a.md":"A","b.md":"B"},"id":"x","metadata":{"9":2,"10":1,"k":[{"x":2,"y":1}]},' +
        '"name":"N","parameters":{"properties":{"a":{"type":"number"},"z":{"type":"string"}},"type":"object"},"steps":["s"],"tags":["b","a"]}',
    );
  });

  it("writes RFC 8785 canonical JSON", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "é"], c: { z: 1e21, y: 0.1 } })).toBe('{"a":[true,null,"é"],"b":1,"c":{"y":0.1,"z":1e+21}}');
  });
});
