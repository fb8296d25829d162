import type { RunningS3Server } from '@photomaker/harness';
import type { Replica } from './replica.ts';

/**
 * What happens to the cluster during a run: kill -9 of a whole node (its API and worker at once) or of
 * the S3 server, each down for a few seconds and started again; or a node drained with SIGTERM (the
 * graceful stop a process manager or Kubernetes sends) and started again.
 */
export interface Disruption {
  /** Seconds into the run. */
  at: number;
  what: 'kill-node' | 'kill-s3' | 'drain-node';
  node?: number;
  /** Seconds it stays down before it is started again. */
  downSeconds: number;
}

/** A disruption as it happened: how long it was down, how the processes ended, or why it failed. */
export type DisruptionOutcome = Disruption & { downMs: number; exits: string[]; error?: string };

/** The run's schedule: quick (CI) kills node 2 and S3 and drains node 1; full adds a kill of node 1. */
export function buildSchedule(durationSeconds: number, quick: boolean): Disruption[] {
  const at = (fraction: number) => Math.round(durationSeconds * fraction);
  if (quick)
    return [
      { at: at(0.25), what: 'kill-node', node: 2, downSeconds: 3 },
      { at: at(0.5), what: 'kill-s3', downSeconds: 4 },
      { at: at(0.7), what: 'drain-node', node: 1, downSeconds: 1 },
    ];
  return [
    { at: at(0.2), what: 'kill-node', node: 2, downSeconds: 3 },
    { at: at(0.4), what: 'kill-s3', downSeconds: 5 },
    { at: at(0.55), what: 'kill-node', node: 1, downSeconds: 4 },
    { at: at(0.75), what: 'drain-node', node: 3, downSeconds: 1 },
  ];
}

export function describeDisruption(d: Disruption): string {
  return d.what === 'kill-s3'
    ? 'kill -9 S3'
    : `${d.what === 'kill-node' ? 'kill -9' : 'SIGTERM (drain)'} node ${d.node}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the node's replicas down together, waits, and starts them again (APIs on their ports). */
async function bounceNode(replicas: Replica[], d: Disruption): Promise<string[]> {
  const members = replicas.filter((r) => r.node === d.node);
  if (members.length === 0) throw new Error(`no replica on node ${d.node}`);
  const exits = await Promise.all(
    members.map(async (r) => `${r.name} ${(await r.down(d.what === 'kill-node' ? 'kill' : 'drain')).exit}`),
  );
  await sleep(d.downSeconds * 1000);
  await Promise.all(members.map((r) => r.start()));
  return exits;
}

async function bounceS3(s3: RunningS3Server, d: Disruption): Promise<string[]> {
  await s3.process.kill();
  const exit = await s3.process.exited;
  await sleep(d.downSeconds * 1000);
  await s3.restart();
  return [`s3 ${exit.signal ?? `code ${exit.code}`}`];
}

/** Plays the schedule from `start` (performance.now()); a failure is recorded, not thrown. */
export async function playSchedule(
  schedule: Disruption[],
  target: { replicas: Replica[]; s3: RunningS3Server },
  start: number,
  log: (line: string) => void,
): Promise<DisruptionOutcome[]> {
  const outcomes: DisruptionOutcome[] = [];
  for (const d of schedule) {
    const wait = d.at * 1000 - (performance.now() - start);
    if (wait > 0) await sleep(wait);
    log(`t=${((performance.now() - start) / 1000).toFixed(1)}s ${describeDisruption(d)}`);
    const began = performance.now();
    try {
      const exits =
        d.what === 'kill-s3' ? await bounceS3(target.s3, d) : await bounceNode(target.replicas, d);
      const downMs = Math.round(performance.now() - began);
      outcomes.push({ ...d, downMs, exits });
      log(`  back after ${(downMs / 1000).toFixed(1)}s (${exits.join(', ')})`);
    } catch (error) {
      outcomes.push({ ...d, downMs: -1, exits: [], error: (error as Error).message });
      log(`  did not come back: ${(error as Error).message}`);
    }
  }
  return outcomes;
}
