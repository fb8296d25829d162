import type { CheckResult } from '@photomaker/chaos';
import type { DisruptionOutcome } from './disruptions.ts';
import type { RunTreeScan } from './files.ts';
import type { ImageFetches } from './outcomes.ts';

const list = (items: string[]) =>
  items.length > 5 ? `${items.slice(0, 5).join('; ')}; … (${items.length})` : items.join('; ');

/** Every kill and drain of the schedule happened, drains ended with exit 0, and everything came back. */
export function disruptionCheck(outcomes: DisruptionOutcome[], scheduled: number): CheckResult {
  const problems = outcomes.flatMap((d) => {
    if (d.error) return [`${d.what} ${d.node ?? ''}: ${d.error}`];
    // A drained process must leave on its own (exit 0), not be SIGKILLed at the end of the grace time.
    const badDrains = d.what === 'drain-node' ? d.exits.filter((exit) => !exit.endsWith('code 0')) : [];
    return badDrains.map((exit) => `drain of node ${d.node}: ${exit}`);
  });
  if (outcomes.length !== scheduled) problems.push(`${outcomes.length} of ${scheduled} disruptions played`);
  return {
    name: 'every kill and drain happened, drains exited 0, everything came back',
    ok: problems.length === 0,
    detail: problems.length ? list(problems) : `${outcomes.length}/${scheduled}`,
  };
}

/** Every image of every succeeded job came back, as image bytes, from the replica that did not start it. */
export function imageCheck(fetches: ImageFetches, expected: number): CheckResult {
  const ok = fetches.problems.length === 0 && fetches.fetched === expected;
  return {
    name: 'every output image fetched through API 2',
    ok,
    detail: ok
      ? `${fetches.fetched} images, ${(fetches.bytes / 1024).toFixed(0)} KiB`
      : `${fetches.fetched} of ${expected}${fetches.problems.length ? `: ${list(fetches.problems)}` : ''}`,
  };
}

/**
 * Nothing was written outside the replicas' own directories but by S3 (and Redis and Temporal, which keep
 * theirs elsewhere): no stray file in the run's tree, none in the repository, no blob on a replica's disk.
 */
export function shareNothingCheck(scan: RunTreeScan, repoChanged: string[]): CheckResult {
  const problems = [
    ...scan.strays.map((f) => `stray file in the run tree: ${f}`),
    ...repoChanged.map((f) => `repository file written during the run: ${f}`),
    ...scan.replicaBlobs.map((f) => `blob on a replica's disk: ${f}`),
  ];
  if (scan.s3Objects === 0) problems.push('no object on S3: the blobs went somewhere else');
  const perReplica = Object.entries(scan.perReplica)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return {
    name: "no file written outside the replicas' own directories (except by S3, Redis, Temporal)",
    ok: problems.length === 0,
    detail: problems.length
      ? list(problems)
      : `${scan.s3Objects} objects on S3; files in replica dirs: ${perReplica || 'none'}`,
  };
}
