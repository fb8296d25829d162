import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { facePng } from './helpers/fixtures.ts';
import { inspectTask } from './helpers/rest.ts';

// The TS SDK @runware/sdk (REST async + getResponse polling) is not on the npm registry this project
// can reach. Its Python twin, runware-sdk on PyPI (same transports, same defaults: deliveryMethod async,
// getResponse polling, per-taskUUID WebSocket routing), is: it proves that path with an official SDK,
// used unchanged with only its base URLs pointed at the emulator.
const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const requirements = join(here, 'python', 'requirements.txt');
const venv = join(here, '..', '.cache', 'python-sdk');
const python = join(venv, 'bin', 'python');

/** A venv with the pinned SDK, made once per requirements hash (pip from PyPI, like any dependency). */
async function provisionSdk(): Promise<void> {
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const marker = join(venv, '.requirements-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return;
  mkdirSync(venv, { recursive: true });
  await run('python3', ['-m', 'venv', '--clear', venv]);
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], {
    timeout: 150_000,
  });
  writeFileSync(marker, hash);
}

let emulator: Emulator;
let facePath: string;

beforeAll(async () => {
  await provisionSdk();
  emulator = await startEmulator();
  facePath = join(tmpdir(), `emulator-face-${process.pid}.png`);
  writeFileSync(facePath, await facePng('c'));
});
afterAll(() => emulator?.close());

describe('runware-sdk 1.8.0 (official Python SDK) against the emulator', () => {
  it('imageUpload + photoMaker over REST (async + getResponse polling) and WebSocket', async () => {
    const { stdout } = await run(
      python,
      [join(here, 'python', 'photomaker_flow.py'), emulator.url, KEY, facePath],
      {
        timeout: 60_000,
      },
    );
    const runs = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            transport: string;
            upload: Record<string, unknown>[];
            results: Record<string, unknown>[];
          },
      );
    expect(runs.map((entry) => entry.transport)).toEqual(['rest', 'websocket']);
    for (const entry of runs) {
      const imageUUID = entry.upload[0]?.imageUUID;
      expect(entry.results).toHaveLength(2);
      expect(entry.results.map((result) => result.status)).toEqual(['success', 'success']);
      for (const result of entry.results) {
        expect(result).toMatchObject({ taskType: 'photoMaker', inputImagesUUID: [imageUUID] });
        const response = await fetch(String(result.imageURL));
        const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 192]);
      }
      const record = await inspectTask(emulator, String(entry.results[0]?.taskUUID));
      expect(record).toMatchObject({ deliveryMethod: 'async', generations: 2, charges: 2, submissions: 1 });
      expect(Number(record.polls)).toBeGreaterThanOrEqual(1);
    }
  });
});
