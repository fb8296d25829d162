/** seed + offset, exact beyond 2^53 (Runware gives result i the seed `seed + i`). Zod-free. */
export function addToSeed(seed: string, offset: number): string {
  return (BigInt(seed) + BigInt(offset)).toString();
}
