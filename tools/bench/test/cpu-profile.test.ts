import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageOf, summarizeCpuProfile } from '../src/profile/cpu-profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'cpu-profile-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZOD = '/repo/node_modules/.pnpm/zod@4.1.0/node_modules/zod/v4/core/core.js';
const OURS = 'file:///work/main/apps/worker/src/activities/collect-images.ts';
const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root -> (idle); root -> runInContext -> parse (zod) and collect (ours); root -> (garbage collector). */
function writeProfile(): string {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 6] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('runInContext', 'node:vm', 9), children: [4, 5] },
      { id: 4, callFrame: frame('parse', ZOD, 41) },
      { id: 5, callFrame: frame('', OURS, 7) },
      { id: 6, callFrame: frame('(garbage collector)') },
    ],
    samples: [2, 4, 4, 5, 6, 2],
    timeDeltas: [50_000, 3_000, 3_000, 2_000, 2_000, 50_000],
    startTime: 0,
    endTime: 110_000,
  };
  const file = join(dir, 'one.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('summarizeCpuProfile', () => {
  it('counts self time per package and per function, idle excluded', () => {
    const summary = summarizeCpuProfile(writeProfile());
    expect(summary.busyMs).toBe(10);
    expect(summary.byPackage).toEqual([
      { name: 'zod', ms: 6, share: 60 },
      { name: 'apps/worker', ms: 2, share: 20 },
      { name: '(garbage collector)', ms: 2, share: 20 },
    ]);
    expect(summary.topFunctions.map((entry) => entry.name)).toEqual([
      'parse zod@4.1.0/node_modules/zod/v4/core/core.js:42',
      '(anonymous) apps/worker/src/activities/collect-images.ts:8',
      '(garbage collector)',
    ]);
  });

  it('adds up the time spent inside the frames worth naming, and keeps only the top entries', () => {
    const summary = summarizeCpuProfile(writeProfile(), 1);
    expect(summary.inclusive).toEqual([{ name: 'runInContext', ms: 8, share: 80 }]);
    expect(summary.byPackage).toHaveLength(1);
  });
});

describe('packageOf', () => {
  it('names pnpm packages, plain node_modules, our workspace folders and node core', () => {
    expect(packageOf('/r/node_modules/.pnpm/@temporalio+worker@1.24.0/node_modules/x.js', 'f')).toBe(
      '@temporalio/worker',
    );
    expect(packageOf('/r/node_modules/@scope/pkg/index.js', 'f')).toBe('@scope/pkg');
    expect(packageOf('file:///r/packages/events/src/a.ts', 'f')).toBe('packages/events');
    expect(packageOf('node:internal/timers', 'f')).toBe('node (core)');
    expect(packageOf('', '(program)')).toBe('(program)');
    expect(packageOf('', 'native')).toBe('(native)');
  });
});
