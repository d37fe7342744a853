import fc from "fast-check";
import { parseFrontmatter } from "skills-ref";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { formatSkillMd, parseSkillMd, SkillMdSyntaxError, yamlString } from "../../src/agent-skills/skill-md-codec.js";
import { folderNameFor, specNameProblem, uniqueFolderName } from "../../src/agent-skills/spec-rules.js";

describe("parseSkillMd()", () => {
  it("parseSkillMd() - front matter and body without the separating blank line", () => {
    expect(parseSkillMd("---\nname: x\ndescription: Does x\n---\n\n# X\n")).toEqual({ frontMatter: { name: "x", description: "Does x" }, body: "# X\n" });
    expect(parseSkillMd("---\nname: x\n---\n# X").body).toBe("# X");
    expect(parseSkillMd("---\nname: x\n---\n").body).toBe("");
  });

  it("parseSkillMd() - CRLF line ends and a byte-order mark", () => {
    const parsed = parseSkillMd("\uFEFF---\r\nname: x\r\ndescription: |\r\n  two\r\n  lines\r\n---\r\n\r\nBody\r\n");
    expect(parsed.frontMatter).toEqual({ name: "x", description: "two\nlines\n" });
    expect(parsed.body).toBe("Body\r\n");
  });

  it.each([
    ["no front matter", "# Just Markdown\n", /must start with YAML front matter/],
    ["front matter not closed", "---\nname: x\ndescription: y\n", /not closed/],
    ["malformed YAML", "---\nname: x\ndescription: [unclosed\n---\n", /malformed YAML/],
    ["duplicate keys", "---\nname: x\nname: y\n---\n", /malformed YAML/],
    ["a list, not a mapping", "---\n- name\n- description\n---\n", /must be a YAML mapping/],
    ["empty front matter", "---\n---\nbody", /must be a YAML mapping/],
  ])("parseSkillMd() - refuses %s", (_, text, message) => {
    expect(() => parseSkillMd(text)).toThrow(SkillMdSyntaxError);
    expect(() => parseSkillMd(text)).toThrow(message);
  });
});

describe("formatSkillMd()", () => {
  it("formatSkillMd() - spec fields in order, metadata, then the body exactly", () => {
    const text = formatSkillMd({ name: "x", description: "Does x: well", license: "MIT", metadata: { "skill-library.tags": '["a"]' } }, "# X\n");
    expect(text).toBe(`---\nname: x\ndescription: 'Does x: well'\nlicense: MIT\nmetadata:\n  skill-library.tags: '["a"]'\n---\n\n# X\n`);
    expect(parseSkillMd(text).body).toBe("# X\n");
  });

  it("formatSkillMd() - any body reads back exactly, also one starting with blank lines or ---", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (body) => {
        expect(parseSkillMd(formatSkillMd({ name: "x", description: "d" }, body)).body).toBe(body);
      }),
      { numRuns: 150 },
    );
    for (const body of ["\n\nlead", "---\nnot: front matter\n---\n", "\r\nx", " "]) {
      expect(parseSkillMd(formatSkillMd({ name: "x", description: "d" }, body)).body).toBe(body);
    }
  });

  it("yamlString() - any string reads back exactly, never with ---", () => {
    const samples = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("-", ":", " ", "\n", "#", "'", '"', "a", "\t", "|", ">", "\r", "\\", "{", "[", "&", "*", "!", "%", "@", "`", "1", "é") }),
      fc.constantFrom("", "true", "null", "1.0", "0x10", "~", "- a", "? x", "a: b", "a #b", "---", "...", "2024-01-01", "yes", "NaN", "\u2028", "\ufeffx", "\u0085"),
    );
    fc.assert(
      fc.property(samples, fc.integer({ min: 2, max: 4 }), (value, indent) => {
        const scalar = yamlString(value, indent);
        expect(scalar).not.toContain("---");
        expect((parseYaml(`k: ${scalar}\n`) as { k: unknown }).k).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it("formatSkillMd() - the reference parser (skills-ref) reads every field back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1 }), fc.dictionary(fc.string({ unit: "binary", minLength: 1 }), fc.string({ unit: "binary" })), (description, metadata) => {
        const text = formatSkillMd({ name: "x", description, license: description, metadata }, "body");
        const [frontMatter] = parseFrontmatter(text);
        expect(frontMatter).toEqual({ name: "x", description, license: description, ...(Object.keys(metadata).length ? { metadata } : {}) });
      }),
      { numRuns: 300 },
    );
  });
});

describe("spec names", () => {
  it("specNameProblem() - the Agent Skills name rules", () => {
    for (const good of ["a", "pdf-tools", "x1-2y", "a".repeat(64)]) expect(specNameProblem(good)).toBeUndefined();
    for (const bad of ["", "-a", "a-", "a--b", "A", "a_b", "a.b", "é", "a".repeat(65), 5]) expect(specNameProblem(bad)).toBeDefined();
  });

  it("folderNameFor() / uniqueFolderName() - valid names from any id", () => {
    expect(folderNameFor("nav_login_generic")).toBe("nav-login-generic");
    expect(folderNameFor("Foo..Bar--9")).toBe("foo-bar-9");
    expect(folderNameFor("_.-")).toBe("skill");
    expect(folderNameFor(`a${"_b".repeat(100)}`).length).toBeLessThanOrEqual(64);
    expect(uniqueFolderName("Foo", new Set(["foo", "foo-2"]))).toBe("foo-3");
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/), (id) => {
        expect(specNameProblem(uniqueFolderName(id, new Set([folderNameFor(id)])))).toBeUndefined();
        expect(specNameProblem(folderNameFor(id))).toBeUndefined();
      }),
    );
  });
});
