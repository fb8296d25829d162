import { z } from 'zod';
import { parseAllowList } from './allow-list.ts';
import { ALLOW_ENV } from './url-guard.ts';

/** The operator's SSRF exceptions, checked with the guard's own parser. */
export const urlGuardEnv = z.object({
  [ALLOW_ENV]: z
    .string()
    .superRefine((spec, ctx) => {
      try {
        parseAllowList(spec);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(`${ALLOW_ENV}: `, '') });
      }
    })
    .optional()
    .describe('SSRF allow-list for webhook/upload/image URLs (hosts or CIDRs, comma-separated)'),
});
