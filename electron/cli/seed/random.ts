// A small seeded PRNG (mulberry32) so the same --seed always gives the same demo data.
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x5eed5eed) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A value near `mean` (sum of three uniforms: cheap, bell-shaped, bounded by mean ± 1.5·spread). */
  around(mean: number, spread: number): number {
    return mean + (this.next() + this.next() + this.next() - 1.5) * spread;
  }
}

/** Picks from [value, weight] pairs with a precomputed cumulative table (binary search). */
export class Weighted<T> {
  private values: T[];
  private cumulative: number[];
  private total: number;

  constructor(pairs: readonly (readonly [T, number])[]) {
    this.values = pairs.map((p) => p[0]);
    this.cumulative = [];
    let sum = 0;
    for (const [, w] of pairs) this.cumulative.push((sum += w));
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
}
