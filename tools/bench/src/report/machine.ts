import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { temporalCli } from '@photomaker/harness';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  redis: string;
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the numbers were measured on (the README quotes it next to them). */
export function machineInfo(redisServerPath: string): MachineInfo {
  let os = 'unknown';
  try {
    os = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // not Linux
  }
  let temporal = 'unknown';
  try {
    temporal = firstLine(temporalCli(), ['--version']);
  } catch {
    // not installed
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os,
    node: process.version,
    temporalCli: temporal,
    redis: firstLine(redisServerPath, ['--version']),
  };
}

/**
 * One line for the README: `2 cores (Intel(R) Xeon(R) Processor), 24 GiB, Debian GNU/Linux 12 (bookworm),
 * Node 24.21.0, Temporal CLI 1.9.1 (Server 1.32.0), Redis 7.0.15`.
 */
export function machineLine(m: MachineInfo): string {
  const temporal = /version (\S+) \(Server ([^,)]+)/.exec(m.temporalCli);
  const redis = /v=(\S+)/.exec(m.redis);
  return [
    `${m.cpus} cores (${m.cpuModel})`,
    `${m.memoryGiB} GiB`,
    m.os,
    `Node ${m.node.replace(/^v/, '')}`,
    temporal ? `Temporal CLI ${temporal[1]} (Server ${temporal[2]})` : `Temporal ${m.temporalCli}`,
    redis ? `Redis ${redis[1]}` : `Redis ${m.redis}`,
  ].join(', ');
}
