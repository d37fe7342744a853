/** The `size` best (slot, score) pairs offered, kept in a min-heap; ties go to the lower slot. */
export class TopScores {
  private readonly heapSlots: number[] = [];
  private readonly heapScores: number[] = [];

  constructor(private readonly size: number) {}

  offer(slot: number, score: number): void {
    const n = this.heapSlots.length;
    if (n < this.size) {
      this.heapSlots.push(slot);
      this.heapScores.push(score);
      this.up(n);
    } else if (n > 0 && score > (this.heapScores[0] as number)) {
      this.heapSlots[0] = slot;
      this.heapScores[0] = score;
      this.down(0);
    }
  }

  /** The lowest score kept once `size` are kept, else 0. */
  threshold(): number {
    return this.heapSlots.length < this.size ? 0 : (this.heapScores[0] as number);
  }

  slots(): { slot: number; score: number }[] {
    return this.heapSlots.map((slot, i) => ({ slot, score: this.heapScores[i] as number })).sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.heapScores[parent] as number) <= (this.heapScores[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heapSlots.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < n && (this.heapScores[left] as number) < (this.heapScores[least] as number)) least = left;
      if (right < n && (this.heapScores[right] as number) < (this.heapScores[least] as number)) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(a: number, b: number): void {
    [this.heapSlots[a], this.heapSlots[b]] = [this.heapSlots[b] as number, this.heapSlots[a] as number];
    [this.heapScores[a], this.heapScores[b]] = [this.heapScores[b] as number, this.heapScores[a] as number];
  }
}
