/** The `size` best (slot, score) pairs offered, kept in a min-heap; ties go to the lower slot. */
export class TopScores {
  private readonly heapSlots: Int32Array;
  private readonly heapScores: Float64Array;
  private count = 0;

  constructor(private readonly size: number) {
    this.heapSlots = new Int32Array(size);
    this.heapScores = new Float64Array(size);
  }

  offer(slot: number, score: number): void {
    if (this.count < this.size) {
      this.heapSlots[this.count] = slot;
      this.heapScores[this.count] = score;
      this.up(this.count++);
    } else if (this.count > 0 && score > (this.heapScores[0] as number)) {
      this.heapSlots[0] = slot;
      this.heapScores[0] = score;
      this.down(0);
    }
  }

  /** Whether `size` pairs are kept (an offer must then beat `threshold()`). */
  get full(): boolean {
    return this.count >= this.size;
  }

  /** The lowest score kept once `size` are kept, else 0. */
  threshold(): number {
    return this.count < this.size ? 0 : (this.heapScores[0] as number);
  }

  slots(): { slot: number; score: number }[] {
    const kept: { slot: number; score: number }[] = [];
    for (let i = 0; i < this.count; i++) kept.push({ slot: this.heapSlots[i] as number, score: this.heapScores[i] as number });
    return kept.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  private up(i: number): void {
    const { heapSlots, heapScores } = this;
    const slot = heapSlots[i] as number;
    const score = heapScores[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heapScores[parent] as number) <= score) break;
      heapSlots[i] = heapSlots[parent] as number;
      heapScores[i] = heapScores[parent] as number;
      i = parent;
    }
    heapSlots[i] = slot;
    heapScores[i] = score;
  }

  private down(i: number): void {
    const { heapSlots, heapScores, count } = this;
    const slot = heapSlots[i] as number;
    const score = heapScores[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= count) break;
      const right = left + 1;
      const least = right < count && (heapScores[right] as number) < (heapScores[left] as number) ? right : left;
      if ((heapScores[least] as number) >= score) break;
      heapSlots[i] = heapSlots[least] as number;
      heapScores[i] = heapScores[least] as number;
      i = least;
    }
    heapSlots[i] = slot;
    heapScores[i] = score;
  }
}
