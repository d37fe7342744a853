import type { IndexedText } from "../search/analyzer.js";
import type { Vocabulary } from "../search/vocabulary.js";
import type { Skill, SkillContent, SkillVersion, VersionRecord } from "../skill/skill.js";

/** A save of one skill: normalised content, its hash, and the optimistic-locking guard. */
export interface SaveRequest {
  skill: SkillContent;
  /** Hex sha256 of the canonical JSON of `skill`. */
  hash: string;
  /** The canonical JSON of `skill`, as hashed (a store saves this text rather than serialising `skill` again). */
  json?: string;
  /** The skill's terms for the full-text index, made by the search layer. */
  index: IndexedText;
  /** Compare-and-swap inside the write transaction; `0` = the skill must not exist now. */
  expectedVersion?: number;
  author?: string;
  message?: string;
  /** The skill's embedding, made before the transaction; stored with the new version. */
  embedding?: { model: string; vector: Float32Array };
}

/** An embedding of one version of a skill under one model (an `Embedder`'s id). */
export interface EmbeddingRecord {
  skillId: string;
  version: number;
  vector: Float32Array;
}

/** What a save did: the current version, and whether a new version was written. */
export interface SaveResult {
  version: SkillVersion;
  changed: boolean;
}

/** Filters shared by search and listing. */
export interface SkillFilter {
  category?: string;
  /** A skill must have all of these tags. */
  tags?: readonly string[];
  /** Leaves out skills whose success rate is below this; `> 0` leaves out never-run skills. */
  minSuccessRate?: number;
}

/** A full-text query prepared by the search layer: each group is one query word's forms. */
export interface TextQuery {
  /**
   * Every inner list holds alternative index terms of one word (any may match; a trailing
   * `*` makes a prefix); groups are OR-ed. A store may leave out a group whose terms occur
   * in over half of the skills: its BM25 weight is about zero anyway.
   */
  groups: readonly (readonly string[])[];
}

/** A skill that matched a text query, with the store's relevance (higher is better). */
export interface SearchCandidate {
  skill: Skill;
  score: number;
}

/** One finished run of a skill, for the metrics and the execution log. */
export interface ExecutionRecord {
  skillId: string;
  version: number;
  agentId?: string;
  startedAt: string;
  durationMs: number;
  outcome: "success" | "failure" | "timeout";
  error?: string;
}

/** A change committed to the store: which skill, and whether its content or only its stats. */
export type StoreChange = { skillId: string; kind: "content" | "stats" } | { all: true };

/**
 * The one seam between the library and a database. Every write is one transaction;
 * stores declare what they can do with readonly flags.
 */
export interface SkillStore {
  /** `"sqlite"` or `"postgres"`. */
  readonly kind: string;
  /** Synchronous access (embedded stores only). */
  readonly sync: SyncSkillStore | undefined;
  save(request: SaveRequest): Promise<SaveResult>;
  /**
   * Saves all in one transaction; a conflict in one rejects the whole batch, and so does an
   * error thrown while `requests` are taken. `requests` may be made lazily, as the store takes
   * them: a store may write the first while the rest are made. `count` is how many there will be
   * at most (an array's length when not given).
   */
  saveBatch(requests: Iterable<SaveRequest>, count?: number): Promise<SaveResult[]>;
  /**
   * A batch of about `count` skills is coming (its requests are still being made, e.g.
   * embedded): a store may get ready for it meanwhile. Optional; never throws.
   */
  prepareBatch?(count: number): void;
  get(id: string): Promise<Skill | undefined>;
  /** Several skills by id, in the order given, missing ones left out. */
  getMany(ids: readonly string[]): Promise<Skill[]>;
  getVersion(id: string): Promise<SkillVersion | undefined>;
  list(filter: SkillFilter & { limit: number; offset: number }): Promise<Skill[]>;
  /** Skills that pass the filters, most reliable first (for an empty query). */
  listByReliability(filter: SkillFilter, limit: number): Promise<Skill[]>;
  search(query: TextQuery, filter: SkillFilter, limit: number): Promise<SearchCandidate[]>;
  history(id: string): Promise<VersionRecord[]>;
  versionRecord(id: string, version: number): Promise<VersionRecord | undefined>;
  delete(id: string, expectedVersion?: number): Promise<boolean>;
  /** Adds one run to the skill's counters atomically (`x = x + 1`) and to the execution log. */
  recordExecution(record: ExecutionRecord): Promise<void>;
  /**
   * Optional: the index's vocabulary (typo fixes, word rarity). The same object is returned
   * while the index is unchanged, so the search layer can cache what it derives from it.
   */
  vocabulary?(): Promise<Vocabulary>;
  /**
   * The embeddings under `model` of the skills' current versions (all skills, or those of
   * `ids`); a skill whose current version has none under this model is left out.
   */
  embeddings(model: string, ids?: readonly string[]): Promise<EmbeddingRecord[]>;
  /** Stores embeddings made after the save (e.g. for a new model); one whose version is no longer current is dropped. */
  saveEmbeddings(model: string, records: readonly EmbeddingRecord[]): Promise<void>;
  /** Calls `onChange` with what other processes (or machines) committed. Returns a stop function. */
  watch(onChange: (changes: StoreChange[]) => void): () => void;
  close(): Promise<void>;
}

/** The synchronous subset, offered by embedded stores. */
export interface SyncSkillStore {
  save(request: SaveRequest): SaveResult;
  get(id: string): Skill | undefined;
  getMany(ids: readonly string[]): Skill[];
  search(query: TextQuery, filter: SkillFilter, limit: number): SearchCandidate[];
  listByReliability(filter: SkillFilter, limit: number): Skill[];
  /** Optional: the index's vocabulary, synchronously (see `SkillStore.vocabulary`). */
  vocabulary?(): Vocabulary;
  /** Optional: tells `watch` subscribers now of what other processes committed (instead of at the next poll). */
  catchUp?(): void;
}
