import { execFileSync } from 'node:child_process';
import { repoRoot } from '@photomaker/harness';

/**
 * The commit the numbers belong to: the short sha, `+dirty` when tracked or untracked files differ from it
 * (the bench's own output under tools/bench/results does not count). `unknown` outside a git checkout.
 */
export function gitCommit(cwd = repoRoot): string {
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  try {
    const sha = git(['rev-parse', '--short', 'HEAD']);
    const changes = git(['status', '--porcelain', '--', '.', ':(exclude)tools/bench/results']);
    return changes ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}
