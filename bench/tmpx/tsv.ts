import pg from "pg";
import { normalizeSkill } from "../../dist/skill/validate-skill.js";
import { indexedText } from "../../dist/search/analyzer.js";
import { searchFields, searchVectorSql } from "../../dist/store/postgres/postgres-filters.js";
import { generateSkills } from "../generate-skills.js";
const { skills } = generateSkills(2000);
const fields = skills.map((s) => searchFields(indexedText(normalizeSkill(s))));
const c = new pg.Client("postgres://postgres@127.0.0.1:5432/test"); await c.connect();
// a client-made literal: each field's terms with positions, weights A-D, offsets as || would
const literal = (f: string[]) => {
  const parts: string[] = []; let offset = 0;
  ["A", "B", "C", "D"].forEach((w, i) => {
    const terms = (f[i] as string).split(" ").filter(Boolean);
    const pos = new Map<string, number[]>();
    terms.forEach((t, k) => { const p = pos.get(t) ?? []; p.push(offset + k + 1); pos.set(t, p); });
    for (const [t, p] of pos) parts.push(`'${t}':${p.map((x) => x + w).join(",")}`);
    offset += terms.length;
  });
  return parts.join(" ");
};
const lits = fields.map(literal);
const a = { name: "a", text: `SELECT length(${searchVectorSql(1)})` };
const b = { name: "b", text: "SELECT length($1::tsvector)" };
const z = { name: "z", text: "SELECT 1" };
for (let round = 0; round < 3; round++) {
  let t = performance.now(); for (const f of fields) await c.query({ ...a, values: f }); const ta = performance.now() - t;
  t = performance.now(); for (const l of lits) await c.query({ ...b, values: [l] }); const tb = performance.now() - t;
  t = performance.now(); for (const l of lits) await c.query({ ...z, values: [] }); const tz = performance.now() - t;
  console.log("to_tsvector µs/row", Math.round(ta / 2 * 1000 / 1000), "literal", Math.round(tb / 2), "select 1", Math.round(tz / 2));
}
const same = await c.query({ text: `SELECT (${searchVectorSql(1)}) = $5::tsvector AS same`, values: [...fields[0]!, lits[0]] });
console.log("same:", same.rows[0]);
await c.end();
