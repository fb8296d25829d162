import { timingSafeEqual } from 'node:crypto';

/** The documented development key, accepted when RUNWARE_EMULATOR_KEYS is not set. */
export const DEV_API_KEY = 'rw-emulator-dev-key';

export type KeyCheck = { ok: true; keyIndex: number } | { ok: false; reason: 'missing' | 'invalid' };

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The API keys the emulator accepts. Callers get a key's index, never the key: nothing downstream
 * (logs, inspection, capacity accounting) ever holds a key.
 */
export class KeyRing {
  private readonly keys: readonly string[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('at least one API key is required');
    this.keys = keys;
  }

  get size(): number {
    return this.keys.length;
  }

  /** How usage reports name a key: its first and last 4 characters, never the whole key. */
  masked(keyIndex: number): string {
    const key = this.keys[keyIndex] ?? '';
    return key.length <= 12 ? `…${key.slice(-2)}` : `${key.slice(0, 4)}…${key.slice(-4)}`;
  }

  /** The indexes of keys named by their masked form (usage report filters); unknown names match none. */
  indexesOfMasked(names: readonly string[]): number[] {
    return this.keys.flatMap((_, index) => (names.includes(this.masked(index)) ? [index] : []));
  }

  check(key: string | undefined): KeyCheck {
    if (key === undefined || key === '') return { ok: false, reason: 'missing' };
    const keyIndex = this.keys.findIndex((candidate) => sameKey(candidate, key));
    return keyIndex >= 0 ? { ok: true, keyIndex } : { ok: false, reason: 'invalid' };
  }
}

/** `Authorization: Bearer <key>` -> key; anything else -> undefined. */
export function bearerKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/** Parses RUNWARE_EMULATOR_KEYS / --keys: comma-separated, blanks ignored. */
export function parseKeyList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
}
