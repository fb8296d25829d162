import { secretText } from '@photomaker/env';
import { z } from 'zod';
import { DEV_WEBHOOK_MASTER_SECRET, parseTenantSecrets, TenantWebhookSecrets } from './tenant-secrets.ts';

/** Where tenants' webhook secrets come from: the worker signs with them, the API tells each tenant its own. */
export const webhookSecretsEnv = z.object({
  PHOTOMAKER_WEBHOOK_SECRET: secretText
    .optional()
    .describe(
      'Master secret each tenant’s webhook signing secret is derived from (HKDF), unless `PHOTOMAKER_WEBHOOK_SECRETS` names one',
    )
    .meta({ secret: true, defaultText: 'a built-in dev secret (warns)' }),
  PHOTOMAKER_WEBHOOK_SECRETS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTenantSecrets(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .describe("`tenant:whsec_<base64>` webhook secrets, comma-separated (a tenant's first is current)")
    .meta({ secret: true, defaultText: 'derived (HKDF)' }),
});

export type WebhookSecretsEnv = z.output<typeof webhookSecretsEnv>;

/** The secrets an app's parsed env describes; a warning when the master secret is the dev one. */
export function webhookSecretsFromEnv(env: WebhookSecretsEnv): {
  secrets: TenantWebhookSecrets;
  warning?: string;
} {
  const secrets = new TenantWebhookSecrets({
    master: env.PHOTOMAKER_WEBHOOK_SECRET ?? DEV_WEBHOOK_MASTER_SECRET,
    configured: env.PHOTOMAKER_WEBHOOK_SECRETS,
  });
  if (env.PHOTOMAKER_WEBHOOK_SECRET) return { secrets };
  return {
    secrets,
    warning: 'PHOTOMAKER_WEBHOOK_SECRET unset: webhook secrets are derived from a dev secret',
  };
}
