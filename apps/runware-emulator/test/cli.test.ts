import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startNodeApp } from '@photomaker/harness';
import { describe, expect, it } from 'vitest';
import { CliError, parseCli } from '../src/config/cli.ts';
import { LATENCY_PRESETS } from '../src/config/latency.ts';
import { dataUri, facePng, photoMakerTask } from './helpers/fixtures.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('parseCli', () => {
  it('defaults: 127.0.0.1:8787, the dev key, realistic latency', () => {
    const config = parseCli([], {});
    expect(config.options).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      apiKeys: [],
      latency: LATENCY_PRESETS.realistic,
    });
    expect(config.devKey).toBe(true);
  });

  it('reads env and lets flags win', () => {
    const config = parseCli(['--port', '9000', '--latency', 'none', '--parallelism', '2'], {
      RUNWARE_EMULATOR_KEYS: ' a, b ,,c ',
      RUNWARE_EMULATOR_PORT: '1234',
      RUNWARE_EMULATOR_LATENCY: 'fast',
      RUNWARE_EMULATOR_BALANCE: '12.5',
      RUNWARE_EMULATOR_FAULTS: '{"scripted":[{"fault":{"kind":"stuck","polls":2}}]}',
    });
    expect(config.options).toMatchObject({
      port: 9000,
      apiKeys: ['a', 'b', 'c'],
      balance: 12.5,
      latency: { ...LATENCY_PRESETS.none, parallelism: 2 },
    });
    expect(config.options.faults).toMatchObject({
      scripted: [{ count: 1, fault: { kind: 'stuck', polls: 2 } }],
    });
    expect(config.devKey).toBe(false);
  });

  it('takes latency as JSON knobs over the realistic preset', () => {
    const config = parseCli(['--latency', '{"requestMs":5}'], {});
    expect(config.options.latency).toEqual({ ...LATENCY_PRESETS.realistic, requestMs: 5 });
  });

  it.each([
    [['--port', 'abc'], /--port: must be an integer/],
    [['--latency', 'slow'], /--latency: must be one of none, fast, realistic/],
    [['--capacity-status', '500'], /--capacity-status: must be 429 or 503/],
    [['--faults', '{"scripted":[{"fault":{"kind":"nope"}}]}'], /scripted\.0\.fault/],
    [['--faults', '{'], /not JSON/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('%j is refused clearly', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(CliError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });
});

describe('the emulator process', () => {
  it('--help prints usage; a bad flag exits 2 naming it', () => {
    const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('RUNWARE_EMULATOR_KEYS');
    const bad = spawnSync(process.execPath, [MAIN, '--port', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port: must be an integer');
  });

  it('prints one listening line, serves keys from RUNWARE_EMULATOR_KEYS, logs no secrets, stops on SIGTERM', async () => {
    const lines: string[] = [];
    const key = 'process-test-key-8d1f';
    const app = await startNodeApp({
      name: 'runware-emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: ['--port', '0', '--latency', 'none'],
      env: { RUNWARE_EMULATOR_KEYS: key, LOG_LEVEL: 'debug' },
      onLine: (line) => lines.push(line),
    });
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.filter((line) => line.includes('listening on http://127.0.0.1:'))).toHaveLength(1);
      const face = dataUri(await facePng('a'));
      const response = await fetch(`${app.url}/v1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify([
          { taskType: 'imageUpload', taskUUID: crypto.randomUUID(), image: face },
          photoMakerTask([face], { outputType: 'base64Data' }),
        ]),
      });
      expect(response.status).toBe(200);
      const devKey = await fetch(`${app.url}/v1`, {
        method: 'POST',
        headers: { authorization: 'Bearer rw-emulator-dev-key' },
        body: '[]',
      });
      expect(devKey.status).toBe(401);
    } finally {
      await app.stop();
    }
    expect(app.process.child.exitCode).toBe(0);
    const output = lines.join('\n');
    expect(output).toContain('photoMaker accepted');
    expect(output).not.toContain(key);
    expect(output).not.toMatch(/base64,|[A-Za-z0-9+/]{200}/);
  });

  it('the dev key works when RUNWARE_EMULATOR_KEYS is unset', async () => {
    const app = await startNodeApp({
      name: 'runware-emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: ['--port', '0'],
      env: { RUNWARE_EMULATOR_KEYS: '' },
    });
    try {
      const response = await fetch(`${app.url}/v1`, {
        method: 'POST',
        headers: { authorization: 'Bearer rw-emulator-dev-key' },
        body: JSON.stringify([{ taskType: 'ping', ping: true }]),
      });
      expect(await response.json()).toEqual({ data: [{ taskType: 'ping', pong: true }] });
    } finally {
      await app.stop();
    }
  });
});
