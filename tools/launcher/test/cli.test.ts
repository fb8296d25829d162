import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KNOWN_VARIABLES, SET_BY_LAUNCHER } from '../src/app-envs.ts';
import { freeStackPorts } from '../src/launch.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, PHOTOMAKER_RUNWARE: 'emulator', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function occupy(port: number): Promise<void> {
  const server = createServer().listen(port, '127.0.0.1');
  servers.push(server);
  return once(server, 'listening').then(() => undefined);
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe('npm start, before anything runs', () => {
  it('--help lists every setting of the launcher and of every app it starts', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    const setByLauncher = new Set(Object.values(SET_BY_LAUNCHER).flat());
    const settings = [...KNOWN_VARIABLES].filter((name) => !setByLauncher.has(name));
    expect(settings.length).toBeGreaterThan(60);
    for (const name of settings) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('an unknown flag is a usage error (exit 2), without a stack trace', async () => {
    const { code, stderr } = await run(['--prot', '4000']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--prot'");
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('a bad setting names the variable and the rule, starts nothing, exit 1', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'stack-cli-')), 'data');
    const { code, stderr, stdout } = await run(['--data-dir', dataDir], { PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT / --port: must be a TCP port number from 1 to 65535 (got "abc")');
    expect(stderr).toContain(
      'LOG_LEVEL: must be one of: trace, debug, info, warn, error, fatal, silent (got "loud")',
    );
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a busy port is one clear line per port (service and variable named), and nothing starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    const ports = await freeStackPorts();
    await occupy(Number(ports.PORT));
    await occupy(Number(ports.REDIS_PORT));
    await occupy(Number(ports.TEMPORAL_UI_PORT));
    const { code, stderr, stdout } = await run(['--data-dir', dataDir, '--dotenv', '/dev/null'], ports);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `port ${ports.PORT} (for the API and web app) is already in use: stop what holds it (\`ss -ltnp 'sport = :${ports.PORT}'\` shows it) or choose another port with PORT or --port`,
    );
    expect(stderr).toContain(
      `port ${ports.REDIS_PORT} (for redis-server) is already in use: stop what holds it (\`ss -ltnp 'sport = :${ports.REDIS_PORT}'\` shows it) or choose another port with REDIS_PORT`,
    );
    expect(stderr).toContain(`port ${ports.TEMPORAL_UI_PORT} (for the Temporal Web UI) is already in use`);
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stdout).not.toContain('ready:');
    // Nothing was started: no service wrote a log.
    expect(readdirSync(join(dataDir, 'logs'))).toEqual([]);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  });

  it('a missing --dotenv is a clear error', async () => {
    const { code, stderr } = await run(['--dotenv', '/nonexistent/.env']);
    expect(code).toBe(1);
    expect(stderr).toContain('--dotenv: /nonexistent/.env does not exist');
    expect(stderr).not.toMatch(STACK_TRACE);
  });
});
