import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeCpuProfile } from '../src/profile/cpu-profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('a CPU profile summary', () => {
  it('counts self time per package and function, inclusive frames, and leaves idle out', () => {
    const file = join(dir, 'x.cpuprofile');
    const zod = '/r/node_modules/.pnpm/zod@4.1.0/node_modules/zod/index.js';
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        {
          id: 2,
          callFrame: frame('__webpack_require__', '/r/main/apps/worker/src/bundle.js', 9),
          children: [3],
        },
        { id: 3, callFrame: frame('parse', zod, 41) },
        { id: 4, callFrame: frame('(idle)') },
      ],
      samples: [3, 3, 2, 4],
      timeDeltas: [1000, 1000, 2000, 5000],
      startTime: 0,
      endTime: 9000,
    };
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarizeCpuProfile(file);
    expect(summary.busyMs).toBe(4);
    expect(summary.byPackage).toEqual([
      { name: 'zod', ms: 2, share: 50 },
      { name: 'apps/worker', ms: 2, share: 50 },
    ]);
    expect(summary.topFunctions.map((f) => f.name)).toEqual([
      `parse zod@4.1.0/node_modules/zod/index.js:42`,
      '__webpack_require__ apps/worker/src/bundle.js:10',
    ]);
    expect(summary.inclusive).toEqual([{ name: '__webpack_require__', ms: 4, share: 100 }]);
  });
});
