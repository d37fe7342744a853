import type { EmbeddingRecord, SaveRequest, SaveResult } from "../skill-store.js";
import { bytesVector, vectorBytes } from "../vector-bytes.js";
import { pgText } from "./postgres-filters.js";
import type { PostgresRunner, Transaction } from "./postgres-runner.js";

const INSERT = `INSERT INTO skill_embeddings (skill_id, version, model, vector)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::bytea[])
  ON CONFLICT (skill_id, model, version) DO UPDATE SET vector = excluded.vector`;

/** Stores, in the save's transaction, the embeddings of the requests that made a new version. */
export async function storeSavedEmbeddings(tx: Transaction, requests: readonly SaveRequest[], results: readonly SaveResult[]): Promise<void> {
  const rows = requests.flatMap((request, i) => {
    const result = results[i];
    return request.embedding && result?.changed ? [{ id: request.skill.id, version: result.version.version, ...request.embedding }] : [];
  });
  if (rows.length === 0) return;
  await tx.query(INSERT, [rows.map((r) => pgText(r.id)), rows.map((r) => r.version), rows.map((r) => r.model), rows.map((r) => vectorBytes(r.vector))]);
}

/** The embeddings under `model` of the current versions (of every skill, or of `ids`). */
export async function readEmbeddings(runner: PostgresRunner, model: string, ids?: readonly string[]): Promise<EmbeddingRecord[]> {
  const rows = await runner.query<{ skill_id: string; version: number; vector: Buffer }>(
    `SELECT e.skill_id, e.version, e.vector FROM skills s
     JOIN skill_embeddings e ON e.skill_id = s.id AND e.version = s.version AND e.model = $1
     ${ids ? "WHERE s.id = ANY($2::text[])" : ""}`,
    ids ? [model, ids.map(pgText)] : [model],
  );
  return rows.map((row) => ({ skillId: row.skill_id, version: row.version, vector: bytesVector(row.vector) }));
}

/** Stores embeddings made after the save; one whose version is no longer current is dropped. */
export async function saveLaterEmbeddings(runner: PostgresRunner, model: string, records: readonly EmbeddingRecord[]): Promise<void> {
  if (records.length === 0) return;
  await runner.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO skill_embeddings (skill_id, version, model, vector)
       SELECT r.id, r.version, $3, r.vector FROM unnest($1::text[], $2::integer[], $4::bytea[]) AS r(id, version, vector)
       JOIN skills s ON s.id = r.id AND s.version = r.version
       ON CONFLICT (skill_id, model, version) DO UPDATE SET vector = excluded.vector`,
      [records.map((r) => pgText(r.skillId)), records.map((r) => r.version), model, records.map((r) => vectorBytes(r.vector))],
    );
  });
}
