import { Connection } from '@temporalio/client';
import { temporalCli } from './binaries.ts';
import { ManagedProcess, retryOnEarlyExit } from './managed-process.ts';
import { assertPortFree, getFreePort } from './ports.ts';

export type SearchAttributeType = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface TemporalOptions {
  /** gRPC frontend port; a free one when omitted. */
  port?: number;
  /** Web UI port; no UI when omitted (tests), the UI on this port otherwise. */
  uiPort?: number;
  /** SQLite file for persistence across restarts; in-memory when omitted. */
  dbFile?: string;
  /** Search attributes registered at start (name -> type). */
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Codec server URL the Web UI calls to decode payloads for operators. */
  codecEndpoint?: string;
  namespace?: string;
  /** More `temporal server start-dev` flags (e.g. `--dynamic-config-value K=V` for an A/B). */
  extraArgs?: readonly string[];
  /** Temporal's task-queue fairness (FAIRNESS_ARGS); on unless false (the queue bench's A/B). */
  fairness?: boolean;
  onLine?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningTemporal {
  address: string;
  port: number;
  uiUrl?: string;
  namespace: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Dynamic config that turns on task-queue fairness: dispatch round-robins the backlog across fairness
 * keys (jobs carry their tenant), so one tenant's flood of tasks cannot starve another's. Fairness holds
 * within a partition, and with the default 4 we saw some partitions hand out a lone tenant's task FIFO
 * behind the flood (test/temporal-fairness.test.ts); one partition is plenty for a single-node dev server.
 * A production Temporal needs the same (docs/deploy.md).
 */
const FAIRNESS_ARGS: readonly string[] = [
  '--dynamic-config-value',
  'matching.enableFairness=true',
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * The official Temporal CLI dev server on 127.0.0.1, ready to accept workflow starts when this resolves.
 * The CLI also binds internal ports of its own choosing; a start that loses a port race is retried.
 */
export async function startTemporal(options: TemporalOptions = {}): Promise<RunningTemporal> {
  if (options.port) await assertPortFree(options.port, 'Temporal');
  if (options.uiPort) await assertPortFree(options.uiPort, 'Temporal Web UI');
  return retryOnEarlyExit(async () => launchTemporal(options, options.port ?? (await getFreePort())));
}

async function launchTemporal(options: TemporalOptions, port: number): Promise<RunningTemporal> {
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (options.fairness !== false) args.push(...FAIRNESS_ARGS);
  for (const [name, type] of Object.entries(options.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push(...(options.extraArgs ?? []));
  const child = new ManagedProcess({
    name: 'temporal',
    command: temporalCli(),
    args,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const address = `127.0.0.1:${port}`;
  await child.readyOrKill(
    child.waitUntil(() => temporalReady(address, namespace), options.readyTimeoutMs ?? 90_000, 250),
  );
  return {
    address,
    port,
    namespace,
    ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
    process: child,
    stop: () => child.stop(),
  };
}

/** True once the frontend answers and the namespace exists. */
export async function temporalReady(address: string, namespace = 'default'): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}
