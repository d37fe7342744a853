import type { SaveRow } from "./sqlite-writer.js";

/** What the batch writer's worker is started with. */
export interface BatchWorkerData {
  /** The store file (absolute). */
  path: string;
  /** The store's change-log origin: the batch's change rows are the store's own. */
  origin: string;
  /** The worker connection's automatic checkpoint, in WAL pages (a safety net: see `BATCH_SAFETY_NET_PAGES`). */
  autocheckpointPages: number;
}

/** Host → worker: a batch is `begin`, `rows` as they are prepared (packed), then `commit` or `abort`. */
export type BatchMessage = { type: "begin" } | { type: "rows"; rows: PackedRows } | { type: "commit" } | { type: "abort" };

/**
 * Rows as one flat array of their fields, {@link ROW_FIELDS} a row: a structured clone of
 * objects writes every property name again, and cost the host about a sixth of its time.
 */
export type PackedRows = (string | number | Float32Array | null)[];

/** Slots of one row in {@link PackedRows}. */
export const ROW_FIELDS = 15;

/** Appends a row's fields to `packed`. */
export function packRow(packed: PackedRows, row: SaveRow): void {
  const { index, embedding } = row;
  packed.push(
    row.id, row.category, row.tags, row.json, row.hash,
    index.name, index.description, index.tags, index.category, index.instructions,
    row.expectedVersion ?? null, row.author ?? null, row.message ?? null, embedding?.model ?? null, embedding?.vector ?? null,
  );
}

/** The row whose fields start at `at`. */
export function unpackRow(packed: PackedRows, at: number): SaveRow {
  const text = (i: number) => packed[at + i] as string;
  const model = packed[at + 13] as string | null;
  return {
    id: text(0), category: text(1), tags: text(2), json: text(3), hash: text(4),
    index: { name: text(5), description: text(6), tags: text(7), category: text(8), instructions: text(9) },
    expectedVersion: (packed[at + 10] as number | null) ?? undefined,
    author: (packed[at + 11] as string | null) ?? undefined,
    message: (packed[at + 12] as string | null) ?? undefined,
    embedding: model === null ? undefined : { model, vector: packed[at + 14] as Float32Array },
  };
}

/**
 * Worker → host: one answer per batch. `done` gives each row's version in order, and the
 * index and save time of the rows that were unchanged (all others were saved at `now`).
 */
export type BatchReply =
  | { type: "done"; now: string; versions: number[]; unchanged: [number, string][] }
  | { type: "aborted" }
  | { type: "conflict"; skillId: string; expected: number; actual: number }
  | { type: "failed"; message: string; code?: string };
