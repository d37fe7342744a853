import { LibraryCaches } from "../cache/library-caches.js";
import type { CacheStats } from "../cache/skill-cache.js";
import {
  InvalidArgumentError, LibraryClosedError, SkillNotFoundError, UnsupportedOperationError,
} from "../errors.js";
import { Executor, type ExecuteOptions, type SkillHandler } from "../exec/executor.js";
import { AsyncRWLock } from "../lock/async-rw-lock.js";
import { LiveSearchIndex } from "../search/live-search-index.js";
import { searchAsync, searchSync } from "../search/search-skills.js";
import { embeddingText, embedRequests, embedTexts } from "../search/semantic/embed-texts.js";
import { fuseRankings } from "../search/semantic/fuse-rankings.js";
import type { Skill, SkillInput, SkillVersion, VersionRecord } from "../skill/skill.js";
import type { SaveRequest, SkillFilter, SkillStore, StoreChange, SyncSkillStore } from "../store/skill-store.js";
import { composeSkills, type ComposeOptions, type WorkflowResult } from "../workflow/compose-skills.js";
import { checkExpectedVersion, checkFilter, checkId, checkSearchOptions, type ListOptions, type SearchOptions } from "./call-options.js";
import type { ResolvedOptions } from "./library-options.js";
import { checkedSkills, requestsOf, saveRequest, type AddSkillOptions } from "./save-requests.js";

export type { AddSkillOptions } from "./save-requests.js";

/** Cached searches may filter on stats up to this old (ms). */
const SEARCH_TTL_MS = 1000;

/**
 * A skill library: the API of the guide. Make one with `openSkillLibrary()` or share the
 * process-wide one from `getSkillLibrary()`.
 */
export class SkillLibrary {
  private storeInstance: SkillStore | undefined;
  private readonly storeReady: Promise<SkillStore>;
  /** Skills, searches and skills to run (undefined with `cache: false`). */
  private readonly caches: LibraryCaches | undefined;
  private readonly lock = new AsyncRWLock();
  /** Every skill in memory for fast search, once built (see `LiveSearchIndex`). */
  private searchIndex: LiveSearchIndex | undefined;
  private readonly executor: Executor;
  private stopWatching: (() => void) | undefined;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** @internal Use `openSkillLibrary()` or `getSkillLibrary()`. */
  constructor(store: SkillStore | Promise<SkillStore>, readonly options: ResolvedOptions) {
    this.caches = options.cache === false ? undefined : new LibraryCaches(options.cache);
    this.storeReady = Promise.resolve(store).then((opened) => this.attach(opened));
    this.storeReady.catch(() => undefined);
    if (!(store instanceof Promise)) this.attach(store);
    this.executor = new Executor({
      loadSkill: (id: string) => {
        const hit = this.caches?.skillToRun(id);
        return hit ? Promise.resolve(hit) : this.readSkill(id);
      },
      store: () => this.storeInstance ? Promise.resolve(this.storeInstance) : this.storeReady,
      onRecorded: (id: string) => this.dropStats(id),
      sandbox: options.sandbox,
      defaultTimeoutMs: options.defaultTimeoutMs,
    });
  }

  private attach(store: SkillStore): SkillStore {
    if (this.storeInstance) return store;
    this.storeInstance = store;
    this.searchIndex = new LiveSearchIndex(store, this.options.embedder);
    this.stopWatching = store.watch((changes) => this.dropChanged(changes));
    return store;
  }

  /** Drops exactly what another process or machine changed. */
  private dropChanged(changes: readonly StoreChange[]): void {
    this.searchIndex?.changed(changes);
    this.caches?.storeChanged(changes);
  }

  // ---- skills -------------------------------------------------------------------------

  /** Creates or replaces a skill; a changed skill gets a new version, an unchanged one keeps its version. */
  addSkill(skill: SkillInput, options: AddSkillOptions = {}): Promise<SkillVersion> {
    return this.track(async () => {
      this.checkOpen();
      const request = saveRequest(skill, options);
      const store = await this.store();
      await embedRequests(this.options.embedder, [request]);
      const result = await this.lock.withWrite(() => store.save(request));
      if (result.changed) this.dropContent([request.skill.id]);
      return result.version;
    });
  }

  /** A skill by id, or undefined. Shows the latest stats at once. */
  getSkill(id: string, options?: { useCache?: boolean }): Promise<Skill | undefined> {
    const useCache = options?.useCache ?? true;
    if (useCache && this.caches && !this.closed && typeof id === "string") {
      // The hot path: a hit is answered without a store call, a lock or an async frame.
      const hit = this.caches.skills.get(id);
      if (hit) return Promise.resolve(hit);
    }
    const sync = this.storeInstance?.sync;
    if (sync && !this.closed && typeof id === "string" && id !== "") {
      // An embedded read is one synchronous call: nothing stays in flight, so no tracking.
      try {
        const skill = sync.get(id);
        if (skill && useCache) this.caches?.skills.set(id, skill);
        return Promise.resolve(skill);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.track(() => this.readSkill(id, useCache));
  }

  private async readSkill(id: string, useCache = true): Promise<Skill | undefined> {
    checkId(id);
    const token = this.caches?.beginRead();
    const store = this.storeInstance ?? (await this.storeReady);
    const skill = store.sync ? store.sync.get(id) : await this.lock.withRead(() => store.get(id));
    if (skill && useCache && token) this.caches?.endRead(token, id, skill);
    return skill;
  }

  /** Best matches first; an empty query lists the skills that pass the filters, most reliable first. */
  searchSkills(query: string, options: SearchOptions = {}): Promise<Skill[]> {
    return this.track(async () => {
      checkSearchOptions(query, options);
      const store = await this.store();
      // The embedded store answers synchronously once the index is built (no embedder to await).
      const synchronous = store.sync !== undefined && !this.options.embedder && this.searchIndex?.isBuilt === true;
      return this.searchWith(query, options, synchronous ? undefined : store);
    });
  }

  /** Skills in id order, optionally filtered. */
  listSkills(options: ListOptions = {}): Promise<Skill[]> {
    return this.track(async () => {
      checkFilter(options, ["category", "tags", "limit", "offset"], "listSkills options");
      const store = await this.store();
      return store.list({ ...options, limit: options.limit ?? 100, offset: options.offset ?? 0 });
    });
  }

  /** Deletes a skill; its history is kept. False when it did not exist. */
  deleteSkill(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    return this.track(async () => {
      checkId(id);
      checkExpectedVersion(options.expectedVersion);
      const store = await this.store();
      const deleted = await this.lock.withWrite(() => store.delete(id, options.expectedVersion));
      if (deleted) this.dropContent([id]);
      return deleted;
    });
  }

  /** Adds many skills in one transaction: `false` for each refused skill, the rest are saved. */
  batchAddSkills(skills: readonly SkillInput[], options: { validate?: boolean } = {}): Promise<Record<string, boolean>> {
    return this.track(async () => {
      if (!Array.isArray(skills)) throw new InvalidArgumentError("skills", "must be an array of skills");
      // Checked now: the requests are made later, after a close() that waits for this batch.
      this.checkOpen();
      const outcome: Record<string, boolean> = {};
      const checked = checkedSkills(skills, options.validate ?? true, outcome);
      const store = await this.store();
      const embedder = this.options.embedder;
      let requests: Iterable<SaveRequest>;
      let count = skills.length;
      if (embedder) {
        // The vectors first (no write lock held across the embedder's await); the store gets ready
        // for the batch meanwhile, and takes the rest of each request as it is made.
        const contents = Array.from(checked);
        count = contents.length;
        store.prepareBatch?.(count);
        const vectors = await embedTexts(embedder, contents.map(embeddingText));
        requests = requestsOf(contents, { model: embedder.id, vectors });
      } else {
        // Made as the store takes them: the embedded store writes the first while the rest are made.
        requests = requestsOf(checked);
      }
      const results = count ? await this.lock.withWrite(() => store.saveBatch(requests, count)) : [];
      const changed = results.filter((r) => r.changed).map((r) => r.version.skillId);
      if (changed.length > 0) this.dropContent(changed);
      return outcome;
    });
  }

  // ---- versions -----------------------------------------------------------------------

  /** The current version of a skill, or undefined. */
  getVersion(id: string): Promise<SkillVersion | undefined> {
    return this.track(async () => (checkId(id), (await this.store()).getVersion(id)));
  }

  /** Every saved version, oldest first (kept after delete). */
  getVersionHistory(id: string): Promise<VersionRecord[]> {
    return this.track(async () => (checkId(id), (await this.store()).history(id)));
  }

  /** Saves an old version's content as a new version. */
  restoreVersion(id: string, version: number, options: { expectedVersion?: number } = {}): Promise<SkillVersion> {
    return this.track(async () => {
      checkId(id);
      if (!Number.isInteger(version) || version < 1) throw new InvalidArgumentError("version", `must be a positive integer, got ${JSON.stringify(version)}`);
      const record = await (await this.store()).versionRecord(id, version);
      if (!record) throw new SkillNotFoundError(id, `skill "${id}" has no version ${version}; see getVersionHistory("${id}")`);
      return this.addSkill(record.skill, { expectedVersion: options.expectedVersion, message: `restore version ${version}` });
    });
  }

  // ---- running ------------------------------------------------------------------------

  /** Runs a skill with a hard timeout and records how it went. */
  executeSkill(id: string, context: Record<string, unknown> = {}, options: ExecuteOptions = {}): Promise<unknown> {
    return this.track(() => this.executor.execute(id, context, options));
  }

  /** Binds a trusted in-process function to a stored skill's id; it wins over the skill's code. */
  registerHandler(id: string, handler: SkillHandler): void {
    this.checkOpen();
    checkId(id);
    if (typeof handler !== "function") throw new InvalidArgumentError("handler", "must be a function (context, { signal, tools }) => Promise<unknown>");
    this.executor.handlers.set(id, handler);
  }

  /** Runs many skills, at most `maxConcurrent` at once; results in input order, never rejects for one failure. */
  batchExecuteSkills(
    executions: readonly (readonly [string, Record<string, unknown>?])[],
    options: { timeout?: number; maxConcurrent?: number } = {},
  ): Promise<[string, unknown, Error | undefined][]> {
    return this.track(() => this.executor.executeBatch(executions, options));
  }

  /** Runs skills in order with a running context; stops at the first failure; never rejects for a step. */
  composeSkills(ids: readonly string[], context: Record<string, unknown> = {}, options: ComposeOptions = {}): Promise<WorkflowResult> {
    return this.track(() => composeSkills(this.executor, ids, context, options));
  }

  // ---- sync API (embedded store) ------------------------------------------------------

  /** `addSkill` without a Promise (embedded store only). */
  addSkillSync(skill: SkillInput, options: AddSkillOptions = {}): SkillVersion {
    const sync = this.syncStore("addSkillSync");
    const request = saveRequest(skill, options);
    const result = sync.save(request);
    if (result.changed) this.dropContent([request.skill.id]);
    return result.version;
  }

  /** `getSkill` without a Promise (embedded store only). */
  getSkillSync(id: string, options: { useCache?: boolean } = {}): Skill | undefined {
    const sync = this.syncStore("getSkillSync");
    checkId(id);
    const useCache = options.useCache ?? true;
    const hit = useCache ? this.caches?.skills.get(id) : undefined;
    if (hit) return hit;
    const skill = sync.get(id);
    if (skill && useCache) this.caches?.skills.set(id, skill);
    return skill;
  }

  /** `searchSkills` without a Promise (embedded store only, lexical search). */
  searchSkillsSync(query: string, options: SearchOptions = {}): Skill[] {
    this.syncStore("searchSkillsSync");
    checkSearchOptions(query, options);
    return this.searchWith(query, options, undefined) as Skill[];
  }

  // ---- lifecycle ----------------------------------------------------------------------

  /** Cache counters (undefined when the cache is off). */
  cacheStats(): CacheStats | undefined {
    return this.caches?.stats();
  }

  /** Waits for work in flight, then closes; later calls reject with `LibraryClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.stopWatching?.();
    this.searchIndex?.close();
    await this.executor.close();
    const store = await this.storeReady.catch(() => undefined);
    await store?.close();
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  // ---- internals ----------------------------------------------------------------------

  /** A search through the synchronous API of the embedded store, or (`asyncStore` given) the asynchronous one. */
  private searchWith(query: string, options: SearchOptions, asyncStore: SkillStore | undefined): Skill[] | Promise<Skill[]> {
    const limit = options.limit ?? 10;
    const filter: SkillFilter = { category: options.category, tags: options.tags, minSuccessRate: options.minSuccessRate };
    const key = JSON.stringify([query, filter.category, filter.tags, filter.minSuccessRate, limit]);
    const searches = this.caches?.searches;
    const useCache = (options.useCache ?? true) && searches !== undefined;
    const hit = useCache ? searches?.get(key) : undefined;
    const sync = asyncStore ? undefined : this.storeInstance?.sync;
    if (hit && sync) return sync.getMany(hit.ids);
    if (hit && asyncStore) return asyncStore.getMany(hit.ids);
    const token = searches?.beginFill() ?? 0;
    const remember = (skills: Skill[]) => {
      if (useCache) searches?.fill(token, key, { ids: skills.map((s) => s.id) }, { ttlMs: Math.min(SEARCH_TTL_MS, this.options.cache ? this.options.cache.ttlMs : SEARCH_TTL_MS) });
      return skills;
    };
    // Query planning (synonyms, typos, compounds) and ranking live in src/search, above the stores.
    if (sync) {
      sync.catchUp?.();
      return remember(searchSync(sync, query, filter, limit, this.searchIndex?.readySync((ids) => sync.getMany(ids))));
    }
    const store = asyncStore as SkillStore;
    store.sync?.catchUp?.();
    return this.lock.withRead(async () => {
      const index = await this.searchIndex?.ready();
      if (!this.options.embedder || !index || query.trim() === "") return remember(await searchAsync(store, query, filter, limit, index));
      // Lexical and semantic rankings, fused (see `fuseRankings`): below rank 2 × limit, a
      // ranking adds under 1/(60 + 2 × limit) to a score, too little to lift a skill into the top.
      const depth = Number.isFinite(limit) ? 2 * limit : limit;
      const [lexical, semantic] = await Promise.all([searchAsync(store, query, filter, depth, index), this.searchIndex?.nearest(query, filter, depth)]);
      return remember(semantic ? fuseRankings([lexical, semantic], limit) : lexical.slice(0, limit));
    });
  }

  private dropContent(ids: readonly string[]): void {
    this.caches?.contentChanged(ids);
    this.searchIndex?.changed(ids.map((skillId) => ({ skillId, kind: "content" })));
  }

  private dropStats(id: string): void {
    this.caches?.statsChanged(id);
    this.searchIndex?.changed([{ skillId: id, kind: "stats" }]);
  }

  private async store(): Promise<SkillStore> {
    this.checkOpen();
    return this.storeInstance ?? this.storeReady;
  }

  private syncStore(method: string): SyncSkillStore {
    this.checkOpen();
    const sync = this.storeInstance?.sync;
    if (!sync) throw new UnsupportedOperationError(`${method} needs the embedded (SQLite) store; this library uses ${this.options.store.kind}: use the async method instead`);
    return sync;
  }

  private checkOpen(): void {
    if (this.closed) throw new LibraryClosedError();
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LibraryClosedError());
    const promise = work();
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
