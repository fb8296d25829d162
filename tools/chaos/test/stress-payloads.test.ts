import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  aliasBomb,
  fragmentBomb,
  pixelBombPng,
  pngClaiming,
  truncated,
  wrongTypedList,
} from '../src/fuzz/stress/payloads.ts';
import { rssMiB } from '../src/fuzz/stress/probe.ts';
import { classRow, renderStressMarkdown } from '../src/fuzz/stress/report.ts';
import { notARefusal } from '../src/fuzz/stress/tally.ts';

// The stress classes' building blocks, in process: each payload is what its class says it is.

describe('the GraphQL bombs', () => {
  it('have the announced shape', () => {
    const alias = aliasBomb(15, 1_000);
    expect(alias.match(/\bj\d+: jobs\(first: 100\)/g)).toHaveLength(15);
    expect(alias.match(/\bt\d+: __typename/g)).toHaveLength(1_000);
    const fragments = fragmentBomb(8);
    expect(fragments.match(/fragment F\d+ on Query/g)).toHaveLength(9); // F0..F8
    expect(fragments).toContain('...F1 ...F1');
    expect(fragments).toMatch(/fragment F8 on Query \{ __typename jobs\(first: 100\)/);
  });
});

describe('the hostile images', () => {
  it('a header claiming 60000x60000 reads as such (and the default pixel limit of sharp refuses it)', async () => {
    await expect(sharp(pngClaiming(60_000, 60_000)).metadata()).rejects.toThrow(/pixel limit/);
    const meta = await sharp(pngClaiming(60_000, 60_000), { limitInputPixels: false }).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 60_000, height: 60_000 });
  });

  it('the pixel bomb is small on the wire, complete, and decodes to side^2 pixels', async () => {
    const bomb = pixelBombPng(2_000);
    expect(bomb.length).toBeLessThan(20_000);
    const { info } = await sharp(bomb).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 2_000, height: 2_000 });
  });

  it('a truncated PNG keeps its header and fails to decode', async () => {
    const png = await sharp({
      create: {
        width: 64,
        height: 64,
        channels: 3,
        background: '#f00',
        noise: { type: 'gaussian', mean: 128, sigma: 50 },
      },
    })
      .png()
      .toBuffer();
    const cut = truncated(png, 0.5);
    expect(cut.length).toBeLessThan(png.length);
    expect((await sharp(cut).metadata()).width).toBe(64);
    await expect(sharp(cut).raw().toBuffer()).rejects.toThrow();
  });

  it('a wrong-typed list is numbers of the given length', () => {
    expect(wrongTypedList(3)).toEqual([5, 5, 5]);
  });
});

describe('the stress verdicts', () => {
  const vitals = {
    healthChecks: 10,
    healthFailures: 0,
    maxEventLoopBlockMs: 20,
    startRssMiB: 150,
    maxRssMiB: 200,
  };
  const clean = { attempts: 5, unexpected: 0, examples: [], notes: [] };

  it('a class meets the goal only with 0 failed checks, a block under 100 ms, no unexpected answer, nothing started', () => {
    expect(classRow('c', clean, vitals, 0, 1).ok).toBe(true);
    expect(classRow('c', clean, { ...vitals, healthFailures: 1 }, 0, 1).ok).toBe(false);
    expect(classRow('c', clean, { ...vitals, maxEventLoopBlockMs: 100 }, 0, 1).ok).toBe(false);
    expect(classRow('c', { ...clean, unexpected: 1 }, vitals, 0, 1).ok).toBe(false);
    expect(classRow('c', clean, vitals, 1, 1).ok).toBe(false);
    const md = renderStressMarkdown({
      date: '',
      quick: true,
      rows: [classRow('c', clean, vitals, 1, 1)],
      ok: false,
    });
    expect(md).toMatch(/\| c +\| 5 +\| 0 +\| 20 +\| 150 -> 200 +\| 0 \/ 10 +\| 1 +\| \*\*not met\*\* \|/);
  });

  it('an answer is a refusal only when it is a 4xx or GraphQL errors without data', () => {
    expect(notARefusal({ status: 401, text: '{}', ms: 1 }, 'x')).toBeUndefined();
    expect(notARefusal({ status: 200, text: '{"errors":[{}],"data":null}', ms: 1 }, 'x')).toBeUndefined();
    expect(notARefusal({ status: 200, text: '{"data":{"t0":"Query"}}', ms: 1 }, 'x')).toMatch(/accepted/);
    expect(notARefusal({ status: 500, text: '', ms: 1 }, 'x')).toMatch(/500/);
    expect(notARefusal({ status: 0, text: '', ms: 30_000, error: 'timeout' }, 'x')).toMatch(/timeout/);
  });

  it('RSS is read from /proc/<pid>/status', () => {
    expect(rssMiB(42, () => 'Name:\tnode\nVmRSS:\t  204800 kB\n')).toBe(200);
    expect(rssMiB(undefined)).toBe(0);
    expect(rssMiB(process.pid)).toBeGreaterThan(10);
  });
});
