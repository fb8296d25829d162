import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type RunningNodeApp,
  type RunningRedisCluster,
  type RunningS3Server,
  type RunningTemporal,
  startEmulatorApp,
  startRedisCluster,
  startS3Server,
  startTemporal,
} from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import { cpuSecondsOf } from './cpu.ts';

export const BUCKET = 'photomaker';

/** What the replicas share, and nothing else: Temporal, a Redis Cluster, S3, and Runware (the emulator). */
export interface Services {
  temporal: RunningTemporal;
  redis: RunningRedisCluster;
  s3: RunningS3Server;
  emulator: RunningNodeApp;
  emulatorUrl: string;
  /** Where versitygw keeps the objects (under the run's `services/`). */
  s3Dir: string;
  stop(): Promise<void>;
  /** CPU seconds of each service's live processes (for sizing). */
  cpuSeconds(): Record<string, number>;
}

export interface ServiceOptions {
  root: string;
  /** A replica per Redis master (full mode), so a master's loss is a failover, not an outage. */
  redisReplicas: number;
  emulatorKey: string;
  latency: string;
  onLine?: (service: string, line: string) => void;
}

/** Starts the shared services at once; on a failure, stops what did start and throws. */
export async function startServices(options: ServiceOptions): Promise<Services> {
  const s3Dir = join(options.root, 'services', 's3');
  const emulatorDir = join(options.root, 'services', 'emulator');
  mkdirSync(emulatorDir, { recursive: true });
  const line = (service: string) =>
    options.onLine ? (l: string) => options.onLine?.(service, l) : undefined;
  const withLine = (service: string) => {
    const onLine = line(service);
    return onLine ? { onLine } : {};
  };
  const started = await Promise.allSettled([
    startTemporal({ searchAttributes: SEARCH_ATTRIBUTE_TYPES, ...withLine('temporal') }),
    startRedisCluster({
      masters: 3,
      replicasPerMaster: options.redisReplicas,
      ...(options.onLine
        ? { onLine: (port: number, l: string) => options.onLine?.(`redis:${port}`, l) }
        : {}),
    }),
    startS3Server({ dir: s3Dir, buckets: [BUCKET], ...withLine('s3') }),
    startEmulatorApp({
      port: 0,
      latency: options.latency,
      args: ['--capacity', '100000'],
      env: { LOG_LEVEL: 'info', RUNWARE_EMULATOR_KEYS: options.emulatorKey },
      cwd: emulatorDir,
      onLine: line('emulator'),
    }),
  ]);
  const [temporal, redis, s3, emulator] = started;
  if (
    temporal.status === 'rejected' ||
    redis.status === 'rejected' ||
    s3.status === 'rejected' ||
    emulator.status === 'rejected'
  ) {
    await Promise.allSettled(
      started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : Promise.resolve())),
    );
    const reasons = started.flatMap((s, i) =>
      s.status === 'rejected'
        ? [`${['temporal', 'redis cluster', 's3', 'emulator'][i]}: ${(s.reason as Error).message}`]
        : [],
    );
    throw new Error(`cluster: a shared service did not start: ${reasons.join('; ')}`);
  }
  const services = { temporal: temporal.value, redis: redis.value, s3: s3.value, emulator: emulator.value };
  let stopped = false;
  return {
    ...services,
    emulatorUrl: services.emulator.url ?? '',
    s3Dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([
        services.temporal.stop(),
        services.redis.stop(),
        services.s3.stop(),
        services.emulator.stop(),
      ]);
    },
    cpuSeconds() {
      return {
        temporal: cpuSecondsOf(services.temporal.process.pid),
        redis: services.redis.nodes.reduce((sum, node) => sum + cpuSecondsOf(node.process.pid), 0),
        s3: cpuSecondsOf(services.s3.process.pid),
        emulator: cpuSecondsOf(services.emulator.process.pid),
      };
    },
  };
}
