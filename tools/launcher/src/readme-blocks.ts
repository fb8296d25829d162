import { configSummaryMarkdown, configTableMarkdown } from './config-table.ts';

/** A generated block of a Markdown file, between `<!-- name:start -->` and `<!-- name:end -->`. */
export interface ReadmeBlock {
  /** Path from the repository root. */
  file: string;
  name: string;
  content: () => string;
}

export const README_BLOCKS: readonly ReadmeBlock[] = [
  { file: 'tools/launcher/README.md', name: 'config-table', content: configTableMarkdown },
  { file: 'README.md', name: 'config-summary', content: configSummaryMarkdown },
];

function markers(name: string): RegExp {
  return new RegExp(`(<!-- ${name}:start -->\\n)([\\s\\S]*?)(\\n<!-- ${name}:end -->)`);
}

/** The block's current text, or undefined when the markers are missing. */
export function readBlock(text: string, name: string): string | undefined {
  return markers(name).exec(text)?.[2];
}

export function writeBlock(text: string, name: string, content: string): string {
  if (readBlock(text, name) === undefined) throw new Error(`no <!-- ${name}:start/end --> markers`);
  return text.replace(
    markers(name),
    (_match, start: string, _old: string, end: string) => `${start}${content}${end}`,
  );
}
