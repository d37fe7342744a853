import type { Skill } from "../skill/skill.js";
import type { SearchCandidate, SkillFilter } from "../store/skill-store.js";
import { analyze } from "./analyzer.js";
import { matchesFilter } from "./matches-filter.js";
import type { SearchPlan } from "./prepare-query.js";
import {
  coverageFactor, FIELDS, inverseDocumentFrequency, POSITIONED, PREFIX_WEIGHT, pseudoFrequency, rankCandidates, rankedText, saturate,
  SATURATION_LIMIT, wordImportance, type Field, type Statistics,
} from "./rank-candidates.js";
import { IndexedSkill, type TermTable } from "./indexed-skill.js";
import { TopScores } from "./top-scores.js";
import { termsWithPrefix, type Vocabulary } from "./vocabulary.js";

/** A term's postings: the slots of the skills that hold it and the term's saturated BM25F weight in each. */
interface Posting {
  slots: number[];
  weights: number[];
}

/** How far (relative) the mean field lengths may drift before the posting weights are remade. */
const WEIGHT_DRIFT = 0.1;
/** Most skills of each list a MaxScore check looks at. */
const THRESHOLD_SAMPLE = 1000;
/** A several-term form is found by its rarest term at this share of that term's weight; the ranking checks the rest. */
const PARTIAL_PHRASE = 0.5;

/** The vocabulary of a `SearchIndex`: live counts, a new object whenever the set of terms changes. */
class IndexVocabulary implements Vocabulary {
  constructor(private readonly index: SearchIndex, readonly terms: ReadonlyMap<string, number>) {}

  get documents(): number {
    return this.index.size;
  }

  get averageLengths(): Record<string, number> {
    const averages = this.index.averageLengths();
    return Object.fromEntries(FIELDS.map((field, f) => [field, averages[f] as number]));
  }
}

/**
 * An in-memory inverted index of every skill of a store, for search at memory speed: postings
 * with each term's saturated BM25F weight pick the best candidates for a plan in one pass, and
 * the same ranking as a store's candidates get (`rankCandidates`) orders them. The index is a
 * replica of the store's skills; its keeper (`LiveSearchIndex`) keeps it fresh.
 */
export class SearchIndex implements TermTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly postings: Posting[] = [];
  private readonly frequency = new Map<string, number>();
  private slots: (IndexedSkill | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly totals = FIELDS.map(() => 0);
  private weightedWith: number[] = FIELDS.map(() => 1);
  private vocabularyView: IndexVocabulary;
  private termsChanged = false;
  private loading = false;
  // Scratch space for one search, by slot.
  private total = new Float64Array(0);
  private covered = new Float64Array(0);
  private best = new Float64Array(0);
  /** Per slot, during a filtered search: 0 not yet checked, 1 passes the filter, 2 does not. */
  private verdicts = new Uint8Array(0);
  /** Term id → its place among one skill's distinct terms, while the skill is indexed. */
  private readonly localTerms = new Map<number, number>();

  constructor() {
    this.vocabularyView = new IndexVocabulary(this, this.frequency);
  }

  /** How many skills the index holds. */
  get size(): number {
    return this.slotOf.size;
  }

  /** The ids of every skill the index holds. */
  skillIds(): IterableIterator<string> {
    return this.slotOf.keys();
  }

  /** The skill as the index holds it. */
  get(id: string): Skill | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.slots[slot]?.skill;
  }

  /** Every skill the index holds that passes the filter. */
  matching(filter: SkillFilter): Skill[] {
    const found: Skill[] = [];
    for (const doc of this.slots) if (doc && matchesFilter(doc.skill, filter)) found.push(doc.skill);
    return found;
  }

  /** @internal A term's id, or -1. */
  termId(term: string): number {
    return this.ids.get(term) ?? -1;
  }

  /** @internal A term by its id. */
  termName(id: number): string {
    return this.names[id] as string;
  }

  /** Mean terms per field, in `FIELDS` order. */
  averageLengths(): number[] {
    const n = Math.max(1, this.size);
    return this.totals.map((total) => Math.max(1, total / n));
  }

  /** The index's vocabulary; the same object while the set of terms is unchanged. */
  vocabulary(): Vocabulary {
    if (this.termsChanged) {
      this.termsChanged = false;
      this.vocabularyView = new IndexVocabulary(this, this.frequency);
    }
    return this.vocabularyView;
  }

  /** Adds a skill, or replaces the one with its id. A skill whose content is unchanged only has its stats replaced. */
  upsert(skill: Skill): void {
    const slot = this.slotOf.get(skill.id);
    const current = slot === undefined ? undefined : this.slots[slot];
    if (current && current.skill.version === skill.version && current.skill.updatedAt === skill.updatedAt) {
      this.slots[slot as number] = current.withSkill(skill);
      return;
    }
    if (current) this.remove(skill.id);
    this.insert(this.indexed(skill));
  }

  /** Leaves a skill out (its postings are skipped until the next compaction). */
  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const doc = this.slots[slot] as IndexedSkill;
    this.slots[slot] = undefined;
    this.slotOf.delete(id);
    doc.lengths.forEach((length, f) => (this.totals[f] = (this.totals[f] as number) - length));
    for (const id of doc.terms) {
      const term = this.names[id] as string;
      const left = (this.frequency.get(term) ?? 1) - 1;
      if (left > 0) this.frequency.set(term, left);
      else {
        this.frequency.delete(term);
        this.termsChanged = true;
      }
    }
    if (this.slots.length > 1000 && this.slots.length > 2 * this.size) this.compact();
  }

  /**
   * The best `limit` skills for a plan that pass the filter, ranked as store candidates are:
   * the postings choose `candidates` by their summed word weights and coverage, then
   * `rankCandidates` orders them.
   */
  search(plan: SearchPlan, filter: SkillFilter, limit: number, candidates: number): Skill[] {
    this.reweighIfDrifted();
    const vocabulary = this.vocabulary();
    const stats: Statistics = { documents: this.size, docs: (t) => this.frequency.get(t) ?? 0, averageLength: this.averageLengths() };
    const importance = plan.words.map((word) => wordImportance(word, stats));
    const totalImportance = importance.reduce((a, b) => a + b, 0);
    // Each word's index terms with their weight factors, most telling words first.
    const words = plan.words.map((word, w) => {
      const terms: [string, number][] = [];
      for (const alternative of word.alternatives) {
        const { weight } = alternative;
        if (alternative.terms.length === 1) {
          const t = alternative.terms[0] as string;
          terms.push([t, weight * inverseDocumentFrequency(stats.documents, stats.docs(t))]);
          if (alternative.prefix) {
            for (const longer of termsWithPrefix(vocabulary, t)) terms.push([longer, weight * PREFIX_WEIGHT * inverseDocumentFrequency(stats.documents, stats.docs(longer))]);
          }
        } else {
          let rarest = alternative.terms[0] as string;
          for (const t of alternative.terms) if (stats.docs(t) < stats.docs(rarest)) rarest = t;
          terms.push([rarest, PARTIAL_PHRASE * weight * inverseDocumentFrequency(stats.documents, stats.docs(rarest))]);
        }
      }
      terms.sort((x, y) => y[1] - x[1]);
      return { terms, upper: SATURATION_LIMIT * (terms[0]?.[1] ?? 0), importance: importance[w] as number };
    }).sort((a, b) => b.upper - a.upper);
    this.growScratch();
    const filtered = filter.category !== undefined || filter.tags !== undefined || filter.minSuccessRate !== undefined;
    const checked: number[] = [];
    const touched: number[] = [];
    const wordTouched: number[] = [];
    const { total, covered, best } = this;
    let addNew = true;
    let later = words.reduce((sum, word) => sum + word.upper, 0);
    let laterImportance = totalImportance;
    for (const word of words) {
      later -= word.upper;
      laterImportance -= word.importance;
      // A skill no earlier word matched covers at most this word and the later ones.
      const coverageBound = totalImportance > 0 ? coverageFactor(Math.min(1, (word.importance + laterImportance) / totalImportance)) : 1;
      wordTouched.length = 0;
      let checks = 0;
      for (const [term, factor] of word.terms) {
        // MaxScore: once the chosen candidates' scores so far beat all that this and the later
        // words could give a skill, skills only those match cannot be chosen: stop adding them.
        // (Checked where the check costs well under the postings it may save, twice a word at most.)
        if (addNew && checks < 2 && this.postingLength(term) > 2 * (touched.length + wordTouched.length)) {
          checks++;
          const bound = (SATURATION_LIMIT * factor + later) * coverageBound;
          if (this.choose(touched, wordTouched, word.importance, candidates, totalImportance, THRESHOLD_SAMPLE).threshold() >= bound) addNew = false;
        }
        this.accumulate(term, factor, wordTouched, addNew, filtered ? { filter, checked } : undefined);
      }
      for (const slot of wordTouched) {
        if (total[slot] === 0) touched.push(slot);
        total[slot] = (total[slot] as number) + (best[slot] as number);
        covered[slot] = (covered[slot] as number) + word.importance;
        best[slot] = 0;
      }
    }
    const chosen = this.choose(touched, [], 0, candidates, totalImportance);
    for (const slot of touched) {
      total[slot] = 0;
      covered[slot] = 0;
    }
    for (const slot of checked) this.verdicts[slot] = 0;
    const found: SearchCandidate[] = chosen.slots().map(({ slot, score }) => ({ skill: (this.slots[slot] as IndexedSkill).skill, score }));
    return rankCandidates(plan, found, limit, vocabulary, (skill) => this.slots[this.slotOf.get(skill.id) as number] as IndexedSkill);
  }

  /**
   * The best `size` skills so far (all passed the filter), by summed word scores and coverage:
   * those earlier words matched (`touched`) and those only the current word matched so far;
   * with `sample`, only the first `sample` of each list (the threshold of a subset is a lower
   * bound of the whole's, so it still prunes safely, for a bounded cost).
   */
  private choose(touched: readonly number[], wordTouched: readonly number[], importance: number, size: number, totalImportance: number, sample = Infinity): TopScores {
    const chosen = new TopScores(size);
    const { slots, best, total, covered } = this;
    for (let pass = 0; pass < 2; pass++) {
      const list = pass === 0 ? touched : wordTouched;
      const end = Math.min(list.length, sample);
      for (let i = 0; i < end; i++) {
        const slot = list[i] as number;
        if (pass === 1 && total[slot] !== 0) continue;
        const word = best[slot] as number;
        const summed = (total[slot] as number) + word;
        // The coverage factor is at most 1: a sum that cannot beat the kept ones needs no more work.
        if (chosen.full && summed <= chosen.threshold()) continue;
        if (!slots[slot]) continue;
        const share = totalImportance > 0 ? Math.min(1, ((covered[slot] as number) + (word > 0 ? importance : 0)) / totalImportance) : 1;
        chosen.offer(slot, summed * coverageFactor(share));
      }
    }
    return chosen;
  }

  private postingLength(term: string): number {
    const id = this.ids.get(term);
    return id === undefined ? 0 : (this.postings[id] as Posting).slots.length;
  }

  /**
   * Raises each skill's best score for the current word to this term's weight in it; with
   * `addNew` false, only skills earlier words already matched; with `filtering`, only skills
   * that pass the filter (each checked once per search, and listed in `checked`).
   */
  private accumulate(term: string, factor: number, touched: number[], addNew: boolean, filtering: { filter: SkillFilter; checked: number[] } | undefined): void {
    const id = this.ids.get(term);
    if (id === undefined || factor <= 0) return;
    const { slots, weights } = this.postings[id] as Posting;
    const { best, total, verdicts } = this;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const before = best[slot] as number;
      if (before === 0) {
        if (!addNew && total[slot] === 0) continue;
        if (filtering) {
          let verdict = verdicts[slot];
          if (verdict === 0) {
            const doc = this.slots[slot];
            verdict = verdicts[slot] = doc && matchesFilter(doc.skill, filtering.filter) ? 1 : 2;
            filtering.checked.push(slot);
          }
          if (verdict === 2) continue;
        }
        touched.push(slot);
      }
      const value = factor * (weights[i] as number);
      if (value > before) best[slot] = value;
    }
  }

  private indexed(skill: Skill): IndexedSkill {
    const text = rankedText(skill);
    const local = this.localTerms;
    local.clear();
    const ids: number[] = [];
    const counts: number[] = [];
    const lengths: number[] = [];
    const sequences: Int32Array[] = [];
    const width = FIELDS.length;
    for (let f = 0; f < width; f++) {
      const terms = analyze(text[FIELDS[f] as Field]);
      lengths.push(terms.length);
      const sequence = f < POSITIONED.length ? new Int32Array(terms.length) : undefined;
      for (let i = 0; i < terms.length; i++) {
        const id = this.intern(terms[i] as string);
        if (sequence) sequence[i] = id;
        let at = local.get(id);
        if (at === undefined) {
          at = ids.length;
          local.set(id, at);
          ids.push(id);
          for (let k = 0; k < width; k++) counts.push(0);
        }
        if ((counts[at * width + f] as number) < 65_535) counts[at * width + f] = (counts[at * width + f] as number) + 1;
      }
      if (sequence) sequences.push(sequence);
    }
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a] as number) - (ids[b] as number));
    const terms = new Int32Array(order.length);
    const fieldCounts = new Uint16Array(order.length * width);
    order.forEach((from, to) => {
      terms[to] = ids[from] as number;
      for (let k = 0; k < width; k++) fieldCounts[to * width + k] = counts[from * width + k] as number;
    });
    return new IndexedSkill(skill, this, terms, fieldCounts, lengths, sequences);
  }

  private intern(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(term, id);
      this.names.push(term);
      this.postings.push({ slots: [], weights: [] });
    }
    return id;
  }

  private insert(doc: IndexedSkill): void {
    const slot = this.slots.length;
    this.slots.push(doc);
    this.slotOf.set(doc.skill.id, slot);
    for (let f = 0; f < doc.lengths.length; f++) this.totals[f] = (this.totals[f] as number) + (doc.lengths[f] as number);
    for (let at = 0; at < doc.terms.length; at++) {
      const id = doc.terms[at] as number;
      const posting = this.postings[id] as Posting;
      posting.slots.push(slot);
      // While loading, weights are made once at the end, with the final mean lengths.
      posting.weights.push(this.loading ? 0 : saturate(pseudoFrequency(doc.countsAt(at), doc.lengths, this.weightedWith)));
      const term = this.names[id] as string;
      const before = this.frequency.get(term) ?? 0;
      if (before === 0) this.termsChanged = true;
      this.frequency.set(term, before + 1);
    }
  }

  /** Starts a bulk load: `upsert` many skills, then `endLoad()` (posting weights are made once, there). */
  beginLoad(): void {
    this.loading = true;
  }

  /** Ends a bulk load: weighs every posting with the final mean field lengths. */
  endLoad(): void {
    this.loading = false;
    this.weightedWith = this.averageLengths();
    this.rebuildPostings();
  }

  /** Remakes every posting weight when the mean field lengths moved away from those the weights used. */
  private reweighIfDrifted(): void {
    const now = this.averageLengths();
    if (now.every((average, f) => Math.abs(average - (this.weightedWith[f] as number)) <= WEIGHT_DRIFT * average)) return;
    this.weightedWith = now;
    this.rebuildPostings();
  }

  /** Drops left-out skills' slots and postings. */
  private compact(): void {
    this.slots = this.slots.filter((doc) => doc !== undefined);
    this.slots.forEach((doc, slot) => this.slotOf.set((doc as IndexedSkill).skill.id, slot));
    this.rebuildPostings();
  }

  private rebuildPostings(): void {
    for (const posting of this.postings) {
      posting.slots = [];
      posting.weights = [];
    }
    this.slots.forEach((doc, slot) => {
      if (!doc) return;
      doc.terms.forEach((id, at) => {
        const posting = this.postings[id] as Posting;
        posting.slots.push(slot);
        posting.weights.push(saturate(pseudoFrequency(doc.countsAt(at), doc.lengths, this.weightedWith)));
      });
    });
  }

  private growScratch(): void {
    if (this.total.length >= this.slots.length) return;
    const size = Math.max(1024, this.slots.length * 2);
    this.total = new Float64Array(size);
    this.covered = new Float64Array(size);
    this.best = new Float64Array(size);
    this.verdicts = new Uint8Array(size);
  }
}
