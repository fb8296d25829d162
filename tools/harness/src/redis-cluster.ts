import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { redisServer } from './binaries.ts';
import { assertPortFree } from './ports.ts';
import { generateRedisPassword, type RedisTlsFiles, type RunningRedis, startRedis } from './redis.ts';

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** Masters (each holds a third of the slots with the default 3). */
  masters?: number;
  replicasPerMaster?: number;
  password?: string;
  /** ms a node may be unreachable before the cluster fails it over (Redis' default is 15000). */
  nodeTimeoutMs?: number;
  /** Every node TLS only (clients, the cluster bus and replication), with these files. */
  tls?: RedisTlsFiles;
  onLine?: (port: number, line: string) => void;
}

export interface RunningRedisCluster {
  /** Every node, in start order (`redis-cli --cluster create` makes the first `masters` the masters). */
  nodes: RunningRedis[];
  /** `127.0.0.1:<port>,...`: the value of REDIS_CLUSTER_NODES. */
  seeds: string;
  /** `redis://:<password>@127.0.0.1:<first port>` (`rediss://` with TLS): the REDIS_URL of its clients. */
  url: string;
  password: string;
  /** Ports of the nodes that are masters now (asked of the cluster, so true after a failover). */
  masterPorts(): Promise<number[]>;
  /** The port of the master serving `slot` now. */
  masterOfSlot(slot: number): Promise<number>;
  /** The port of a replica of the master at `masterPort`. */
  replicaOf(masterPort: number): Promise<number>;
  /**
   * A clean failover: `CLUSTER FAILOVER` on a replica of the master at `masterPort`, which waits for the
   * replica to have the master's writes before it takes over. Resolves with the new master's port.
   */
  failover(masterPort: number, timeoutMs?: number): Promise<number>;
  /**
   * kill -9 of the node at `port`; when it was a master, resolves once its replica took over (after
   * `nodeTimeoutMs`) and the cluster is healthy again. Resolves with the master of its slots now.
   * `replicaLagMs`: first stop the master's replica (SIGSTOP) for that long while the master goes on
   * acknowledging writes, then kill the master and resume the replica: the writes of that window are
   * lost, as an unclean failover loses what asynchronous replication had not sent yet.
   */
  kill(port: number, options?: { replicaLagMs?: number; timeoutMs?: number }): Promise<number | undefined>;
  /** Resolves once every live node agrees the cluster is `ok` and covers all slots with a master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** `redis-cli` against one node (authenticated), its stdout. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A free port whose cluster bus port (+10000) is free too: below the ephemeral range, so both fit. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    try {
      await assertPortFree(port, 'Redis Cluster node');
      await assertPortFree(port + 10_000, 'Redis Cluster bus');
      taken.add(port);
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

/** redis-cli from the same install as redis-server. */
function redisCliPath(): string {
  return join(dirname(redisServer()), 'redis-cli');
}

/**
 * A real Redis Cluster on 127.0.0.1: `masters` redis-server processes, `replicasPerMaster` replicas each,
 * joined with `redis-cli --cluster create`, password-protected (nodes and replication), memory only.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RunningRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const password = options.password ?? generateRedisPassword();
  const home = mkdtempSync(join(tmpdir(), 'photomaker-redis-cluster-'));
  const taken = new Set<number>();
  const nodes: RunningRedis[] = [];
  const stopAll = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    rmSync(home, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await clusterPort(taken);
      nodes.push(await startNode(port, password, home, options));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const cli = async (port: number, ...args: string[]) => {
    const tls = options.tls ? ['--tls', '--cacert', options.tls.caFile] : [];
    const { stdout } = await run(redisCliPath(), ['-h', '127.0.0.1', '-p', String(port), ...tls, ...args], {
      // The password in the environment, not on the command line (`ps`).
      env: { ...process.env, REDISCLI_AUTH: password },
    });
    return stdout;
  };
  const cluster = handle(nodes, masters * replicas, password, cli, stopAll);
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await cli(
      nodes[0]?.port ?? 0,
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    );
    await cluster.waitHealthy();
  } catch (error) {
    await stopAll();
    throw error;
  }
  return cluster;
}

function startNode(port: number, password: string, home: string, options: RedisClusterOptions) {
  const dir = join(home, String(port));
  return startRedis({
    port,
    password,
    ...(options.tls ? { tls: options.tls } : {}),
    extraArgs: [
      '--dir',
      mkdtempSync(`${dir}-`),
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 2_000),
      ...(options.tls ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : []),
      // A replica takes over however long it was cut off: tests kill masters on purpose.
      '--cluster-replica-validity-factor',
      '0',
    ],
    ...(options.onLine ? { onLine: (line: string) => options.onLine?.(port, line) } : {}),
  });
}

interface NodeLine {
  port: number;
  flags: string[];
  masterId: string;
  id: string;
  slots: string[];
}

/** `CLUSTER NODES`: `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`. */
function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(' '))
    .map(([id = '', address = '', flags = '', masterId = '', , , , , ...slots]) => ({
      id,
      port: Number(address.split('@')[0]?.split(':')[1]),
      flags: flags.split(','),
      masterId,
      slots,
    }));
}

const failed = (node: NodeLine) => node.flags.some((f) => f.startsWith('fail'));
const healthyMaster = (node: NodeLine) =>
  node.flags.includes('master') && !failed(node) && node.slots.length > 0;

function slotInRange(range: string, slot: number): boolean {
  const [from, to = from] = range.split('-').map(Number);
  return from !== undefined && to !== undefined && slot >= from && slot <= to;
}

function handle(
  nodes: RunningRedis[],
  replicas: number,
  password: string,
  cli: RunningRedisCluster['cli'],
  stop: () => Promise<void>,
): RunningRedisCluster {
  const livePort = () => {
    const node = nodes.find((n) => n.process.running);
    if (!node) throw new Error('every Redis Cluster node is down');
    return node.port;
  };
  const view = async () => parseNodes(await cli(livePort(), 'cluster', 'nodes'));
  return {
    nodes,
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
    url: nodes[0]?.url ?? '',
    password,
    cli,
    stop,
    async masterPorts() {
      return (await view()).filter(healthyMaster).map((node) => node.port);
    },
    async masterOfSlot(slot) {
      const owner = (await view()).find((n) => healthyMaster(n) && n.slots.some((r) => slotInRange(r, slot)));
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return owner.port;
    },
    async replicaOf(masterPort) {
      const all = await view();
      const master = all.find((node) => node.port === masterPort);
      const replica = all.find((node) => node.masterId === master?.id && !failed(node));
      if (!replica) throw new Error(`no live replica of 127.0.0.1:${masterPort}`);
      return replica.port;
    },
    async failover(masterPort, timeoutMs = 20_000) {
      const replica = await this.replicaOf(masterPort);
      await cli(replica, 'cluster', 'failover');
      const deadline = Date.now() + timeoutMs;
      while (!(await this.masterPorts()).includes(replica)) {
        if (Date.now() > deadline)
          throw new Error(`127.0.0.1:${replica} did not take over within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return replica;
    },
    async kill(port, { replicaLagMs, timeoutMs = 30_000 } = {}) {
      const before = (await view()).find((node) => node.port === port);
      const node = nodes.find((n) => n.port === port);
      if (!node || !before) throw new Error(`no Redis Cluster node on ${port}`);
      const replicaPort = replicaLagMs === undefined ? undefined : await this.replicaOf(port);
      const replica = nodes.find((n) => n.port === replicaPort)?.process.child;
      replica?.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, replicaLagMs ?? 0));
      await node.process.kill();
      replica?.kill('SIGCONT');
      if (!healthyMaster(before)) return undefined;
      const slot = Number(before.slots[0]?.split('-')[0]);
      const deadline = Date.now() + timeoutMs;
      while ((await this.masterOfSlot(slot).catch(() => port)) === port) {
        if (Date.now() > deadline)
          throw new Error(`no replica took over from 127.0.0.1:${port} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await this.waitHealthy(timeoutMs);
      return this.masterOfSlot(slot);
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await isHealthy(nodes, replicas, cli).catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/**
 * Every live node says `cluster_state:ok`, sees all 16384 slots on masters it does not think failed, and
 * (until a node is killed) every replica attached.
 */
async function isHealthy(
  nodes: RunningRedis[],
  replicas: number,
  cli: RunningRedisCluster['cli'],
): Promise<boolean> {
  const allUp = nodes.every((n) => n.process.running);
  for (const node of nodes.filter((n) => n.process.running)) {
    if (!(await cli(node.port, 'cluster', 'info')).includes('cluster_state:ok')) return false;
    const view = parseNodes(await cli(node.port, 'cluster', 'nodes'));
    if (allUp && view.filter((n) => n.flags.includes('slave') && !failed(n)).length !== replicas)
      return false;
    const covered = view
      .filter(healthyMaster)
      .flatMap((n) => n.slots.filter((r) => !r.startsWith('[')))
      .reduce((sum, range) => {
        const [from = 0, to = from] = range.split('-').map(Number);
        return sum + (to - from + 1);
      }, 0);
    if (covered !== 16_384) return false;
  }
  return true;
}
