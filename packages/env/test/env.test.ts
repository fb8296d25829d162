import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  definedOnly,
  duration,
  envRows,
  httpUrl,
  integer,
  parseEnv,
  secretText,
  tcpPort,
} from '../src/index.ts';

const schema = z.object({
  PORT: tcpPort.prefault('4000').describe('Port'),
  GRACE: duration.prefault('30s').describe('Grace'),
  TOKEN: secretText.optional().describe('Token').meta({ secret: true, defaultText: 'generated' }),
  BASE: httpUrl.optional().describe('Base URL'),
  COUNT: integer(1, 10).default(3).describe('Count'),
});

describe('parseEnv', () => {
  it('applies defaults, treats empty values as unset and ignores other variables', () => {
    const parsed = parseEnv(schema, { PORT: '', GRACE: '2m', OTHER: 'x' });
    expect(parsed).toEqual({ ok: true, data: { PORT: 4000, GRACE: 120_000, COUNT: 3 } });
  });

  it('names every bad variable with its rule, and never shows a secret', () => {
    const parsed = parseEnv(schema, {
      PORT: '0',
      GRACE: 'soon',
      TOKEN: 'short',
      BASE: 'ftp://x',
      COUNT: '11',
    });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'PORT: must be a TCP port number from 1 to 65535 (got "0")',
        'GRACE: must be a duration such as 500ms, 30s, 2m, 12h, 7d (or milliseconds) (got "soon")',
        'TOKEN: must be at least 16 characters',
        'BASE: must be an http(s) URL (got "ftp://x")',
        'COUNT: must be at most 10 (got "11")',
      ],
    });
  });

  it('labels a variable as the caller says (e.g. with its flag)', () => {
    const parsed = parseEnv(schema, { PORT: 'x' }, { label: (name) => `${name} / --port` });
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      'PORT / --port: must be a TCP port number from 1 to 65535 (got "x")',
    ]);
  });
});

describe('envRows', () => {
  it('documents each variable from the schema itself', () => {
    expect(envRows(schema)).toEqual([
      { name: 'PORT', default: '4000', description: 'Port', secret: false },
      { name: 'GRACE', default: '`30s`', description: 'Grace', secret: false },
      { name: 'TOKEN', default: 'generated', description: 'Token', secret: true },
      { name: 'BASE', default: 'unset', description: 'Base URL', secret: false },
      { name: 'COUNT', default: '3', description: 'Count', secret: false },
    ]);
  });

  it('refuses a variable without a description', () => {
    expect(() => envRows(z.object({ SILENT: z.string() }))).toThrow('SILENT has no .describe()');
  });
});

describe('definedOnly', () => {
  it('drops unset options', () => {
    expect(definedOnly({ a: 1, b: undefined, c: '' })).toEqual({ a: 1, c: '' });
  });
});
