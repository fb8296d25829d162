import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './schema/scalars.ts';
import './schema/enums.ts';
import './schema/style.ts';
import './schema/model.ts';
import './schema/photo-maker-input.ts';
import './schema/job.ts';
import './schema/job-operations.ts';
import './schema/estimate.ts';
import './schema/reference-image.ts';
import './schema/job-event.ts';
import './schema/webhook-secret.ts';
import './schema/deletion.ts';
import './schema/usage.ts';
import './schema/retry.ts';

/** The one GraphQLSchema, served over HTTP (Apollo) and WebSocket (graphql-ws). */
export const schema = builder.toSchema();

/** The committed SDL (apps/api/schema.graphql): sorted so diffs show real changes only. */
export function printSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
