import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENTS, type WebhookEvent } from '@photomaker/schema';
import { builder } from '../builder.ts';
import { JobRef } from './job.ts';

const DESCRIPTIONS: Record<WebhookEvent, string> = {
  STARTED: 'Once, when the job starts running.',
  IMAGE: "Per image, Runware's result body ({data: [item]}), after the job's images are stored.",
  COMPLETED: 'Once, when the job succeeded.',
  FAILED: 'Once, when the job failed, was cancelled or timed out (the body says which).',
};

export const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description:
    'What a job\'s webhookURL is sent (Replicate\'s webhook_events_filter); bodies in apps/api/README.md, "Webhook events".',
  values: Object.fromEntries(
    WEBHOOK_EVENTS.map((event) => [event, { value: event, description: DESCRIPTIONS[event] }]),
  ) as { [K in WebhookEvent]: { value: K; description: string } },
});

/** The list a client chose, each event once, in the canonical order; undefined keeps the defaults. */
export function chosenWebhookEvents(
  events: readonly WebhookEvent[] | null | undefined,
): WebhookEvent[] | undefined {
  if (events === null || events === undefined) return undefined;
  return WEBHOOK_EVENTS.filter((event) => events.includes(event));
}

builder.objectField(JobRef, 'webhookEvents', (t) =>
  t.field({
    type: [WebhookEventEnum],
    description: 'Which events webhookURL is sent (the default: IMAGE, COMPLETED, FAILED).',
    resolve: (job) => job.webhookEvents ?? [...DEFAULT_WEBHOOK_EVENTS],
  }),
);
