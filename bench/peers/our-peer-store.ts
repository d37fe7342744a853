import { openSkillLibrary, type Embedder, type SkillInput, type SkillLibrary } from "../../dist/index.js";
import type { PeerStore } from "./peer-store.js";

/** Our library behind the peer suite's calls. */
export class OurPeerStore implements PeerStore {
  /** @param embedder - the test embedder given to the library, or undefined for lexical search. */
  private constructor(
    readonly name: string,
    private readonly library: SkillLibrary,
    private readonly embedder: (Embedder & { calls: number }) | undefined,
  ) {}

  /**
   * Opens a library on `store` with a cache that holds every skill (so the cached `get` row
   * measures cache hits), and the test embedder when one is given.
   */
  static async open(name: string, store: string, size: number, embedder?: Embedder & { calls: number }): Promise<OurPeerStore> {
    const library = await openSkillLibrary({ store, cache: { max: size * 2 + 10_000, ttlMs: 3_600_000 }, ...(embedder ? { embedder } : {}) });
    return new OurPeerStore(name, library, embedder);
  }

  /** Whether the library called the embedder it was given (false: its search is lexical only). */
  get usedEmbedder(): boolean {
    return (this.embedder?.calls ?? 0) > 0;
  }

  /** Whether the library embeds what it saves (it called the embedder). */
  get embeds(): boolean {
    return this.usedEmbedder;
  }

  /** Lexical, or lexical fused with the embedder: whichever this build does. */
  get searchNote(): string {
    if (!this.embedder) return "ours: lexical search (no embedder)";
    return this.usedEmbedder
      ? "ours: lexical ranking fused with the test embedder's vectors"
      : "ours: lexical search only — this build accepts `embedder` but did not call it";
  }

  async load(skills: readonly SkillInput[]): Promise<void> {
    const outcome = await this.library.batchAddSkills([...skills]);
    const refused = Object.values(outcome).filter((ok) => !ok).length;
    if (refused > 0) throw new Error(`${this.name} refused ${refused} skills`);
  }

  async put(skill: SkillInput): Promise<void> {
    await this.library.addSkill(skill);
  }

  get(id: string): Promise<unknown> {
    return this.library.getSkill(id);
  }

  getUncached(id: string): Promise<unknown> {
    return this.library.getSkill(id, { useCache: false });
  }

  search(query: string, category: string): Promise<unknown[]> {
    return this.library.searchSkills(query, { category, limit: 10, useCache: false });
  }

  list(category: string): Promise<unknown[]> {
    return this.library.listSkills({ category, limit: 10 });
  }

  close(): Promise<void> {
    return this.library.close();
  }
}
