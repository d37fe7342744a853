import { randomUUID } from "node:crypto";
import { VersionConflictError } from "../../errors.js";
import { canonicalJson } from "../../skill/content-hash.js";
import type { SaveRequest, SaveResult } from "../skill-store.js";
import { vectorBytes } from "../vector-bytes.js";
import { pgText, pgTextOrNull, searchFields, searchVectorSql } from "./postgres-filters.js";
import { prepared, type PostgresRunner, type Transaction } from "./postgres-runner.js";

interface CurrentRow { version: number; hash: string; updated_at: Date }

// $1 request id, $2 resent (a retry after a lost answer), $3 id, $4 expected version, $5 content, $6 hash, $7 category,
// $8 tags, $9-$12 search texts, $13 now, $14 author, $15 message, $16 embedding model, $17 vector, $18 channel, $19 notice payload.
const SAVE = prepared(`SELECT result_outcome AS outcome, result_version AS version, result_saved_at AS saved_at
  FROM skill_library_put($1, $2, $3, $4, $5, $6, $7, $8, ${searchVectorSql(9)}, $13, $14, $15, $16, $17, $18, $19)`);
interface SaveRow { outcome: "saved" | "unchanged" | "conflict"; version: number; saved_at: Date | null }

/**
 * One save in one statement, one round trip, its own transaction (`skill_library_put` in the
 * schema): compare-and-swap, the skill, its version row, its embedding and the change notice.
 * A retry after a lost answer sends the same request id marked as resent, so a save that did
 * commit is reported, not made twice; the first try skips that lookup (its id is new).
 */
export async function saveAlone(runner: PostgresRunner, request: SaveRequest): Promise<SaveResult> {
  const [channel, payload] = runner.notice({ skillId: request.skill.id, kind: "content" });
  const params = saveParams(request, { requestId: randomUUID(), channel, payload });
  const [row] = await runner.query<SaveRow>(SAVE, (attempt) => {
    params[1] = attempt > 1;
    return params;
  });
  return saveResult(request, row);
}

/** One save inside a transaction (a batch's): its notice and embedding are left to the transaction. */
export async function saveIn(tx: Transaction, request: SaveRequest): Promise<SaveResult> {
  const [row] = await tx.query<SaveRow>(SAVE, saveParams(request));
  const result = saveResult(request, row);
  if (result.changed) tx.notify({ skillId: request.skill.id, kind: "content" });
  return result;
}

function saveParams(
  { skill, hash, json, index, expectedVersion, author, message, embedding }: SaveRequest,
  alone?: { requestId: string; channel: string; payload: string },
): unknown[] {
  const vector = alone && embedding ? [embedding.model, vectorBytes(embedding.vector)] : [null, null];
  return [
    alone?.requestId ?? null, false, skill.id, expectedVersion ?? null, json ?? canonicalJson(skill), hash, pgText(skill.category), skill.tags.map(pgText),
    ...searchFields(index), new Date().toISOString(), pgTextOrNull(author), pgTextOrNull(message), ...vector, alone?.channel ?? null, alone?.payload ?? null,
  ];
}

function saveResult({ skill, hash, expectedVersion }: SaveRequest, row: SaveRow | undefined): SaveResult {
  if (!row) throw new Error(`saving skill "${skill.id}" returned nothing; retry`);
  if (row.outcome === "conflict") throw new VersionConflictError(skill.id, expectedVersion ?? 0, row.version);
  const savedAt = (row.saved_at as Date).toISOString();
  return { changed: row.outcome === "saved", version: { skillId: skill.id, version: row.version, savedAt, hash } };
}

/** Rows written by one statement of a batch. */
const BATCH_ROWS = 1000;

interface LockedRow extends CurrentRow { id: string }
const LOCK_MANY = prepared("SELECT id, version, hash, updated_at FROM skills WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE");

// A batch's rows, one text array per column (so the statement's text and plan do not depend on how many):
// $1 id, $2 content, $3 hash, $4 category, $5 tags (each a text[] literal), $6-$9 search texts; then $10 now,
// $11 author, $12 message (the same for all the statement's rows).
const BATCH_ROWS_SQL = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
  AS t(id, content, hash, category, tags, name_terms, tag_terms, description_terms, instruction_terms)`;
const BATCH_TAGS = "t.tags::text[]";
const BATCH_SEARCH = searchVectorSql(["t.name_terms", "t.tag_terms", "t.description_terms", "t.instruction_terms"]);
// The version rows come from what the first statement wrote (RETURNING), not from the input again.
// Their content is '' (the skill row holds it until the version is superseded: migration 5's triggers).
const BATCH_VERSIONS = `INSERT INTO skill_versions (skill_id, version, saved_at, hash, author, message, content)
  SELECT id, version, $10, hash, $11, $12, '' FROM saved RETURNING skill_id AS id, version`;
/** New ids; one that another writer created meanwhile is skipped (ON CONFLICT) and saved alone afterwards. */
const INSERT_MANY = prepared(`WITH saved AS (
  INSERT INTO skills (id, version, content, hash, category, tags, search, created_at, updated_at)
  SELECT t.id, coalesce((SELECT max(v.version) FROM skill_versions v WHERE v.skill_id = t.id COLLATE "C"), 0) + 1,
    t.content, t.hash, t.category, ${BATCH_TAGS}, ${BATCH_SEARCH}, $10, $10
  FROM ${BATCH_ROWS_SQL}
  ON CONFLICT (id) DO NOTHING RETURNING id, version, hash) ${BATCH_VERSIONS}`);
/** Rows this transaction has locked (`LOCK_MANY`). */
const UPDATE_MANY = prepared(`WITH saved AS (
  UPDATE skills s SET version = s.version + 1, content = t.content, hash = t.hash, category = t.category, tags = ${BATCH_TAGS},
    search = ${BATCH_SEARCH}, updated_at = $10
  FROM ${BATCH_ROWS_SQL} WHERE s.id = t.id COLLATE "C" RETURNING s.id, s.version, s.hash) ${BATCH_VERSIONS}`);

/**
 * Many saves in one transaction, with the same outcome as `saveIn` for each in turn, in a few
 * statements: the rows of every id locked in one and new ids inserted in id order (so
 * concurrent batches do not deadlock), every compare-and-swap checked before anything is
 * written (the first conflict
 * in request order rejects the batch), then the new and the changed skills written
 * `BATCH_ROWS` at a time, each statement with its version rows. A batch that names an id
 * twice is saved one by one, since each of its saves must see the one before.
 */
export async function saveBatchIn(tx: Transaction, requests: readonly SaveRequest[]): Promise<SaveResult[]> {
  const ids = requests.map((request) => request.skill.id);
  if (new Set(ids).size < ids.length) {
    const results: SaveResult[] = [];
    for (const request of requests) results.push(await saveIn(tx, request));
    return results;
  }
  const locked = new Map((await tx.query<LockedRow>(LOCK_MANY, [ids])).map((row) => [row.id, row]));
  const results: (SaveResult | undefined)[] = [];
  const inserts: number[] = [];
  const updates: number[] = [];
  requests.forEach(({ skill, hash, expectedVersion }, i) => {
    const current = locked.get(skill.id);
    const actual = current?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== actual) throw new VersionConflictError(skill.id, expectedVersion, actual);
    if (current && current.hash === hash) {
      results[i] = { changed: false, version: { skillId: skill.id, version: current.version, savedAt: current.updated_at.toISOString(), hash } };
    } else {
      (current ? updates : inserts).push(i);
    }
  });
  // New ids are inserted in id order too: two batches creating the same ids wait for each other, never deadlock.
  inserts.sort((a, b) => (ids[a] as string < (ids[b] as string) ? -1 : 1));
  const now = new Date().toISOString();
  for (const [statement, positions] of [[UPDATE_MANY, updates], [INSERT_MANY, inserts]] as const) {
    for (const [{ author, message }, group] of byAuthor(requests, positions)) {
      for (let from = 0; from < group.length; from += BATCH_ROWS) {
        const chunk = group.slice(from, from + BATCH_ROWS);
        const params = [...columns(chunk.map((i) => requests[i] as SaveRequest)), now, pgTextOrNull(author), pgTextOrNull(message)];
        const versions = new Map((await tx.query<{ id: string; version: number }>(statement, params)).map((row) => [row.id, row.version]));
        for (const i of chunk) {
          const { skill, hash } = requests[i] as SaveRequest;
          const version = versions.get(skill.id);
          if (version === undefined) continue;
          tx.notify({ skillId: skill.id, kind: "content" });
          results[i] = { changed: true, version: { skillId: skill.id, version, savedAt: now, hash } };
        }
      }
    }
  }
  // Ids another transaction created after our lock query: saved alone, which checks them again.
  for (const i of inserts) results[i] ??= await saveIn(tx, requests[i] as SaveRequest);
  for (const i of updates) {
    if (!results[i]) throw new Error(`skill "${ids[i]}" was not updated although its row was locked; retry`);
  }
  return results as SaveResult[];
}

/** The positions of the requests, grouped by their author and message (usually one group). */
function byAuthor(requests: readonly SaveRequest[], positions: readonly number[]): Map<{ author?: string; message?: string }, number[]> {
  const groups = new Map<string, [{ author?: string; message?: string }, number[]]>();
  for (const i of positions) {
    const { author, message } = requests[i] as SaveRequest;
    const key = JSON.stringify([author ?? null, message ?? null]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = [{ author, message }, []]));
    group[1].push(i);
  }
  return new Map(groups.values());
}

/** The nine column arrays of `BATCH_ROWS_SQL` for some requests, as array literals. */
function columns(requests: readonly SaveRequest[]): string[] {
  const out: string[][] = Array.from({ length: 9 }, () => []);
  for (const { skill, hash, json, index } of requests) {
    const row = [skill.id, json ?? canonicalJson(skill), hash, pgText(skill.category), textArray(skill.tags.map(pgText)), ...searchFields(index)];
    row.forEach((value, column) => (out[column] as string[]).push(value));
  }
  return out.map(textArray);
}

/**
 * A `text[]` literal, `{"a","b\\"c"}`: the text `pg` makes of a string array, two to three
 * times faster, which counts for a batch's megabytes of content.
 */
function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}
