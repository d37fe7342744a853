import type { Embedder, Skill } from "../skill/skill.js";
import type { SkillFilter, SkillStore, StoreChange } from "../store/skill-store.js";
import { SearchIndex } from "./search-index.js";
import { embeddingText, embedTexts } from "./semantic/embed-texts.js";
import { VectorIndex } from "./semantic/vector-index.js";
import { ALL_SKILLS } from "./vocabulary.js";

/** Skills indexed between yields to the event loop while the index is built. */
const BUILD_CHUNK = 500;

/**
 * Keeps a `SearchIndex` of a store's skills fresh. It is built on the first search (an
 * asynchronous search waits for it; a synchronous one goes to the store's full-text index
 * until it is ready), then
 * told of every change: this library's own writes and runs, and what other processes or machines
 * committed (the store's `watch`). Changed skills are re-read before the next search; a change
 * feed that lost track (`{ all: true }`) makes it build anew. With an `Embedder`, it also
 * keeps each skill's embedding (read from the store; made and stored for a skill that has none
 * under this embedder's id) for `nearest`.
 */
export class LiveSearchIndex {
  private index: SearchIndex | undefined;
  private building: Promise<void> | undefined;
  private readonly dirty = new Set<string>();
  /** Bumped by `{ all: true }`: a build that began before it is thrown away. */
  private generation = 0;
  private closed = false;
  private vectors: VectorIndex | undefined;
  /** Skills whose embeddings are to be re-read (kept apart: a synchronous search refreshes only the terms). */
  private readonly vectorsDirty = new Set<string>();
  /** Recent queries' embeddings: agents repeat queries, and an embedding call costs a round trip. */
  private readonly queryVectors = new Map<string, Float32Array>();

  constructor(
    private readonly store: SkillStore,
    private readonly embedder?: Embedder,
  ) {}

  /** Marks skills to re-read before the next search. */
  changed(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if ("all" in change) {
        this.generation++;
        this.index = undefined;
        this.building = undefined;
        this.dirty.clear();
        this.vectorsDirty.clear();
        this.vectors = undefined;
        return;
      }
      this.dirty.add(change.skillId);
    }
  }

  /** The index brought up to date with a synchronous store, or undefined while it is built (a build starts). */
  readySync(getMany: (ids: readonly string[]) => Skill[]): SearchIndex | undefined {
    const index = this.current();
    if (index && this.dirty.size > 0) {
      const ids = this.takeDirty();
      apply(index, ids, getMany(ids));
      if (this.embedder) for (const id of ids) this.vectorsDirty.add(id);
    }
    return index;
  }

  /** The index brought up to date (built first if need be), or undefined when it could not be built. */
  async ready(): Promise<SearchIndex | undefined> {
    if (!this.current()) await this.building;
    const index = this.index;
    if (index && this.dirty.size > 0) {
      const ids = this.takeDirty();
      try {
        apply(index, ids, await this.store.getMany(ids));
      } catch (error) {
        for (const id of ids) this.dirty.add(id);
        throw error;
      }
      if (this.embedder) for (const id of ids) this.vectorsDirty.add(id);
    }
    if (index && this.vectors && this.vectorsDirty.size > 0) {
      const ids = [...this.vectorsDirty];
      this.vectorsDirty.clear();
      await this.readVectors(index, this.vectors, ids);
    }
    return index;
  }

  /**
   * The `limit` skills whose embeddings are nearest the query's, that pass the filter; undefined
   * without an embedder, before the index is built, or when the embedder fails on the query
   * (the search is then lexical only).
   */
  async nearest(query: string, filter: SkillFilter, limit: number): Promise<Skill[] | undefined> {
    const index = this.index;
    const vectors = this.vectors;
    if (!this.embedder || !index || !vectors) return undefined;
    let vector = this.queryVectors.get(query);
    if (!vector) {
      try {
        [vector] = await embedTexts(this.embedder, [query]);
      } catch {
        return undefined;
      }
      if (this.queryVectors.size >= QUERY_VECTORS) this.queryVectors.delete(this.queryVectors.keys().next().value as string);
      this.queryVectors.set(query, vector as Float32Array);
    }
    if (filter.category !== undefined || filter.tags !== undefined || filter.minSuccessRate !== undefined) {
      // A filter passes few skills: checking it first saves comparing the vectors of the rest.
      return vectors.nearestAmong(vector as Float32Array, limit, index.matching(filter));
    }
    return vectors.nearest(vector as Float32Array, limit, (id) => index.get(id));
  }

  /** Whether the index is built (searches then use it). */
  get isBuilt(): boolean {
    return this.index !== undefined;
  }

  /** Stops building; searches go to the store. */
  close(): void {
    this.closed = true;
    this.index = undefined;
  }

  private current(): SearchIndex | undefined {
    if (!this.index && !this.building && !this.closed) this.building = this.build(this.generation);
    return this.index;
  }

  private takeDirty(): string[] {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }

  /**
   * Reads the stored embeddings of these skills (all, without `ids`) into `vectors`; skills
   * without one under the embedder's id get one made and stored. When the embedder fails,
   * they are tried again at the next search.
   */
  private async readVectors(index: SearchIndex, vectors: VectorIndex, ids: readonly string[] | undefined): Promise<void> {
    const embedder = this.embedder as Embedder;
    const stored = new Map((await this.store.embeddings(embedder.id, ids)).map((r) => [r.skillId, r]));
    const missing: Skill[] = [];
    for (const id of ids ?? index.skillIds()) {
      const skill = index.get(id);
      const record = stored.get(id);
      if (!skill) vectors.delete(id);
      else if (record && record.version === skill.version && record.vector.length === embedder.dimensions) vectors.set(id, record.vector);
      else missing.push(skill);
    }
    if (missing.length === 0) return;
    try {
      const made = await embedTexts(embedder, missing.map(embeddingText));
      missing.forEach((skill, i) => vectors.set(skill.id, made[i] as Float32Array));
      await this.store.saveEmbeddings(embedder.id, missing.map((skill, i) => ({ skillId: skill.id, version: skill.version, vector: made[i] as Float32Array })));
    } catch {
      for (const skill of missing) this.vectorsDirty.add(skill.id);
    }
  }

  private async build(generation: number): Promise<void> {
    try {
      // Not in the caller's turn: a synchronous search returns first, and a process that closes
      // the library right after its one search never lists the store.
      await new Promise((resolve) => setImmediate(resolve));
      if (generation !== this.generation || this.closed) return;
      // The listing sees what was committed before it; changes committed while it runs arrive as
      // `changed` calls and are re-read after.
      this.dirty.clear();
      const skills = await this.store.list({ limit: ALL_SKILLS, offset: 0 });
      const index = new SearchIndex();
      index.beginLoad();
      for (let i = 0; i < skills.length; i += BUILD_CHUNK) {
        for (const skill of skills.slice(i, i + BUILD_CHUNK)) index.upsert(skill);
        await new Promise((resolve) => setImmediate(resolve));
        if (generation !== this.generation || this.closed) return;
      }
      index.endLoad();
      if (this.embedder) {
        const vectors = new VectorIndex(this.embedder.dimensions);
        await this.readVectors(index, vectors, undefined);
        if (generation !== this.generation || this.closed) return;
        this.vectors = vectors;
      }
      this.index = index;
    } catch {
      // The store was closed or unreachable: searches go on through the store; the next one tries again.
    } finally {
      if (generation === this.generation) this.building = undefined;
    }
  }
}

/** Embeddings of recent queries kept. */
const QUERY_VECTORS = 256;

function apply(index: SearchIndex, ids: readonly string[], skills: readonly Skill[]): void {
  const found = new Map(skills.map((skill) => [skill.id, skill]));
  for (const id of ids) {
    const skill = found.get(id);
    if (skill) index.upsert(skill);
    else index.remove(id);
  }
}
