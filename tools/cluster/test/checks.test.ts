import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { disruptionCheck, imageCheck, shareNothingCheck } from '../src/checks.ts';
import { buildSchedule } from '../src/disruptions.ts';
import { repoFilesChangedSince, scanRunTree } from '../src/files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'cluster-checks-'));
  dirs.push(root);
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), 'x');
  }
  return root;
}

describe('the share-nothing check', () => {
  it('passes when replicas wrote only in their own directories and blobs are on S3', () => {
    const scan = scanRunTree(
      tree([
        'replicas/api1/work/log.txt',
        'services/s3/photomaker/cluster/ab/cd',
        'services/s3/.sgwtmp/meta',
      ]),
    );
    expect(scan).toMatchObject({ strays: [], perReplica: { api1: 1 }, s3Objects: 1 });
    expect(shareNothingCheck(scan, []).ok).toBe(true);
  });

  it('fails on a file outside every replica, a blob on a replica disk, no S3 object, a repo write', () => {
    const stray = scanRunTree(tree(['elsewhere.txt', 'replicas/x', 'services/s3/photomaker/o']));
    expect(stray.strays).toEqual(['elsewhere.txt', 'replicas/x']);
    expect(shareNothingCheck(stray, []).ok).toBe(false);
    const blob = scanRunTree(tree(['replicas/worker1/data/blobs/ab/cd', 'services/s3/photomaker/o']));
    expect(shareNothingCheck(blob, []).detail).toContain("blob on a replica's disk");
    const noS3 = scanRunTree(tree(['replicas/api1/work/a']));
    expect(shareNothingCheck(noS3, []).detail).toContain('no object on S3');
    const clean = scanRunTree(tree(['services/s3/photomaker/o']));
    expect(shareNothingCheck(clean, ['apps/api/oops.txt']).ok).toBe(false);
  });

  it('finds repository files modified since a time, skipping .git, node_modules and build outputs', () => {
    const root = tree([
      'a/old.txt',
      'a/new.txt',
      'node_modules/x/new.txt',
      '.git/index',
      'apps/web/dist/x.js',
      '.data/x',
    ]);
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'a/old.txt'), past, past);
    expect(repoFilesChangedSince(root, Date.now() - 30_000).sort()).toEqual(['.data/x', 'a/new.txt']);
  });
});

describe('the cluster schedule and its checks', () => {
  it('quick kills node 2 and S3 and drains node 1; full also kills node 1', () => {
    expect(buildSchedule(40, true).map((d) => `${d.what}:${d.node ?? ''}`)).toEqual([
      'kill-node:2',
      'kill-s3:',
      'drain-node:1',
    ]);
    const full = buildSchedule(100, false);
    expect(full.filter((d) => d.what === 'kill-node').map((d) => d.node)).toEqual([2, 1]);
    expect(full.map((d) => d.at)).toEqual([...full.map((d) => d.at)].sort((a, b) => a - b));
  });

  it('a drain that needed SIGKILL, a failed restart or a missing disruption fails', () => {
    const drain = { at: 1, what: 'drain-node' as const, node: 1, downSeconds: 1, downMs: 10 };
    expect(disruptionCheck([{ ...drain, exits: ['api1 code 0'] }], 1).ok).toBe(true);
    expect(disruptionCheck([{ ...drain, exits: ['api1 SIGKILL'] }], 1).ok).toBe(false);
    expect(disruptionCheck([{ ...drain, exits: [], error: 'no port' }], 1).ok).toBe(false);
    expect(disruptionCheck([{ ...drain, exits: ['api1 code 0'] }], 2).ok).toBe(false);
  });

  it('a missing or unreadable image fails the image check', () => {
    expect(imageCheck({ fetched: 3, bytes: 10, problems: [] }, 3).ok).toBe(true);
    expect(imageCheck({ fetched: 2, bytes: 10, problems: [] }, 3).ok).toBe(false);
    expect(imageCheck({ fetched: 3, bytes: 10, problems: ['j#0: 404'] }, 3).ok).toBe(false);
  });
});
