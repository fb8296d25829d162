import { CONFIG_VARIABLES } from './config.ts';

/** The configuration reference as a Markdown table: README.md embeds exactly this (test/readme.test.ts). */
export function configTableMarkdown(): string {
  const rows = CONFIG_VARIABLES.map(
    (v) => `| \`${v.name}\` | ${v.default} | ${v.description}${v.secret ? ' (secret: never echoed)' : ''} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
