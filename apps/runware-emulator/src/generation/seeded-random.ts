import { createHash } from 'node:crypto';
import { createRandom } from '../faults/random.ts';

/** A PRNG for one image, driven only by its seed (a decimal string up to 2^63-1) and a salt. */
export function randomForSeed(seed: string, salt = ''): SeededRandom {
  const digest = createHash('sha256').update(`${seed}:${salt}`).digest();
  return new SeededRandom(digest.readUInt32LE(0));
}

export class SeededRandom {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = createRandom(seed);
  }

  float(): number {
    return this.next();
  }

  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, maxInclusive: number): number {
    return Math.floor(this.range(min, maxInclusive + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
}
