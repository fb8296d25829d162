import { expect } from 'vitest';

interface SeqEvent {
  __typename: string;
  seq: number;
}

/**
 * A jobEvents stream resumed with `afterSeq: lastSeq` after the first socket closed: a snapshot, then the
 * events after it with no gap and no repeat, ending in success; and what the first socket saw was itself
 * gap-free after its snapshot.
 */
export function expectGapFreeResume(
  seen: readonly SeqEvent[],
  lastSeq: number,
  rest: readonly SeqEvent[],
): void {
  expect(rest[0]?.__typename).toBe('JobSnapshot');
  const after = rest.slice(1);
  const from = Math.max(lastSeq, rest[0]?.seq ?? 0);
  expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => from + 1 + i));
  expect(after.at(-1)?.__typename).toBe('JobSucceeded');
  const before = seen.slice(1).map((e) => e.seq);
  expect(before).toEqual(before.map((_, i) => (seen[0]?.seq ?? 0) + 1 + i));
}
