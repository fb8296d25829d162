import { REPLAY_WINDOW_SECONDS } from '@photomaker/webhooks';
import { builder } from '../builder.ts';

// A tenant learns its own webhook signing secret here and nowhere else: the tenant comes from the
// caller's API key, so no argument can name another tenant.
builder.queryField('webhookSigningSecret', (t) =>
  t.string({
    description: `The Standard Webhooks secret (\`whsec_...\`) your webhook deliveries and uploadEndpoint PUTs are signed with: verify \`webhook-id\`, \`webhook-timestamp\` and \`webhook-signature\` with any Standard Webhooks library, and refuse timestamps more than ${REPLAY_WINDOW_SECONDS / 60} minutes from your clock.`,
    resolve: (_root, _args, ctx) => ctx.deps.webhookSecrets.current(ctx.tenant),
  }),
);
