import type { Skill } from "../skill/skill.js";
import type { SkillStore, StoreChange } from "../store/skill-store.js";
import { SearchIndex } from "./search-index.js";
import { ALL_SKILLS } from "./vocabulary.js";

/** Skills indexed between yields to the event loop while the index is built. */
const BUILD_CHUNK = 500;

/**
 * Keeps a `SearchIndex` of a store's skills fresh. It is built on the first search (an
 * asynchronous search waits for it; a synchronous one goes to the store's full-text index
 * until it is ready), then
 * told of every change: this library's own writes and runs, and what other processes or machines
 * committed (the store's `watch`). Changed skills are re-read before the next search; a change
 * feed that lost track (`{ all: true }`) makes it build anew.
 */
export class LiveSearchIndex {
  private index: SearchIndex | undefined;
  private building: Promise<void> | undefined;
  private readonly dirty = new Set<string>();
  /** Bumped by `{ all: true }`: a build that began before it is thrown away. */
  private generation = 0;
  private closed = false;

  constructor(private readonly store: SkillStore) {}

  /** Marks skills to re-read before the next search. */
  changed(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if ("all" in change) {
        this.generation++;
        this.index = undefined;
        this.building = undefined;
        this.dirty.clear();
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
    }
    return index;
  }

  /** Resolves when a build in progress has ended (for tests and benchmarks). */
  async built(): Promise<void> {
    this.current();
    await this.building;
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

  private async build(generation: number): Promise<void> {
    try {
      // The listing sees what was committed before it; changes committed while it runs arrive as
      // `changed` calls and are re-read after.
      this.dirty.clear();
      const skills = await this.store.list({ limit: ALL_SKILLS, offset: 0 });
      const index = new SearchIndex();
      for (let i = 0; i < skills.length; i += BUILD_CHUNK) {
        for (const skill of skills.slice(i, i + BUILD_CHUNK)) index.upsert(skill);
        await new Promise((resolve) => setImmediate(resolve));
        if (generation !== this.generation || this.closed) return;
      }
      this.index = index;
    } catch {
      // The store was closed or unreachable: searches go on through the store; the next one tries again.
    } finally {
      if (generation === this.generation) this.building = undefined;
    }
  }
}

function apply(index: SearchIndex, ids: readonly string[], skills: readonly Skill[]): void {
  const found = new Map(skills.map((skill) => [skill.id, skill]));
  for (const id of ids) {
    const skill = found.get(id);
    if (skill) index.upsert(skill);
    else index.remove(id);
  }
}
