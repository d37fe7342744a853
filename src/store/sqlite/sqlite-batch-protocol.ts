import type { SaveRow } from "./sqlite-writer.js";

/** What the batch writer's worker is started with. */
export interface BatchWorkerData {
  /** The store file (absolute). */
  path: string;
  /** The store's change-log origin: the batch's change rows are the store's own. */
  origin: string;
  /** The worker connection's automatic checkpoint (the store's safety net). */
  autocheckpointPages: number;
  /** Word 0 counts the `rows` messages the worker has written (the host reads how far behind it is). */
  progress: SharedArrayBuffer;
}

/** Host → worker: a batch is `begin`, `rows` as they are prepared (packed), then `commit` or `abort`. */
export type BatchMessage = { type: "begin" } | { type: "rows"; rows: PackedRows } | { type: "commit" } | { type: "abort" };

/**
 * Rows as one flat array of their fields, {@link ROW_FIELDS} a row: a structured clone of
 * objects writes every property name again, and cost the host about a sixth of its time.
 */
export type PackedRows = (string | number | Float32Array | null)[];

/** Slots of one row in {@link PackedRows}. */
export const ROW_FIELDS = 16;

/**
 * Appends a row's fields to `packed`. `analyzed` says whether `row.index` holds index terms,
 * or the fields' text for the worker to analyse (`analyzedFields`).
 */
export function packRow(packed: PackedRows, row: SaveRow, analyzed: boolean): void {
  const { index, embedding } = row;
  packed.push(
    analyzed ? 1 : 0,
    row.id, row.category, row.tags, row.json, row.hash,
    index.name, index.description, index.tags, index.category, index.instructions,
    row.expectedVersion ?? null, row.author ?? null, row.message ?? null, embedding?.model ?? null, embedding?.vector ?? null,
  );
}

/** The row whose fields start at `at`, and whether its `index` holds terms (or text to analyse). */
export function unpackRow(packed: PackedRows, at: number): { row: SaveRow; analyzed: boolean } {
  const text = (i: number) => packed[at + i] as string;
  const model = packed[at + 14] as string | null;
  const row: SaveRow = {
    id: text(1), category: text(2), tags: text(3), json: text(4), hash: text(5),
    index: { name: text(6), description: text(7), tags: text(8), category: text(9), instructions: text(10) },
    expectedVersion: (packed[at + 11] as number | null) ?? undefined,
    author: (packed[at + 12] as string | null) ?? undefined,
    message: (packed[at + 13] as string | null) ?? undefined,
    embedding: model === null ? undefined : { model, vector: packed[at + 15] as Float32Array },
  };
  return { row, analyzed: packed[at] === 1 };
}

/**
 * Worker → host: one answer per batch. `done` gives each row's version in order, the index
 * and save time of the rows that were unchanged (all others were saved at `now`), and how many
 * rows the worker analysed.
 */
export type BatchReply =
  | { type: "done"; now: string; versions: number[]; unchanged: [number, string][]; analyzed: number }
  | { type: "aborted" }
  | { type: "conflict"; skillId: string; expected: number; actual: number }
  | { type: "failed"; message: string; code?: string };
