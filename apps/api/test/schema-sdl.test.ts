import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSdl, schema } from '../src/graphql/schema.ts';

describe('schema.graphql', () => {
  it('is what the code builds (run `node apps/api/scripts/print-schema.ts` after a schema change)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSdl());
  });

  it('has the public operations under their contract names', () => {
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {}).sort()).toEqual([
      'estimatePhotoMaker',
      'job',
      'jobs',
      'models',
      'styles',
      'usage',
      'webhookSigningSecret',
    ]);
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {}).sort()).toEqual([
      'cancelJob',
      'deleteJob',
      'deleteReferenceImage',
      'generatePhotoMaker',
      'retryJob',
      'uploadReferenceImage',
    ]);
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).toEqual(['jobEvents']);
    const signature = (type: 'Query' | 'Mutation' | 'Subscription', name: string) => {
      const field = (schema.getType(type) as import('graphql').GraphQLObjectType).getFields()[name];
      return `${name}(${field?.args
        .map((a) => `${a.name}: ${a.type}`)
        .sort()
        .join(', ')}): ${field?.type}`;
    };
    expect(signature('Mutation', 'generatePhotoMaker')).toBe(
      'generatePhotoMaker(idempotencyKey: String, input: PhotoMakerInput!): Job!',
    );
    expect(signature('Query', 'estimatePhotoMaker')).toBe(
      'estimatePhotoMaker(input: PhotoMakerInput!): PhotoMakerEstimate!',
    );
    expect(signature('Mutation', 'uploadReferenceImage')).toBe(
      'uploadReferenceImage(image: String!): ReferenceImage!',
    );
    expect(signature('Mutation', 'cancelJob')).toBe('cancelJob(id: ID!): Job!');
    expect(signature('Mutation', 'deleteJob')).toBe('deleteJob(id: ID!): Erasure!');
    expect(signature('Mutation', 'deleteReferenceImage')).toBe('deleteReferenceImage(id: ID!): Erasure!');
    expect(signature('Mutation', 'retryJob')).toBe('retryJob(id: ID!, idempotencyKey: String): Job!');
    expect(signature('Query', 'usage')).toBe(
      'usage(from: DateTime!, groupBy: UsageGroupBy!, to: DateTime!): UsageReport!',
    );
    expect(signature('Query', 'job')).toBe('job(id: ID!): Job');
    expect(signature('Query', 'jobs')).toBe(
      'jobs(after: String, first: Int, status: JobStatus): JobConnection!',
    );
    expect(signature('Subscription', 'jobEvents')).toBe('jobEvents(afterSeq: Int, jobId: ID!): JobEvent!');
  });

  it('mirrors every Runware photoMaker parameter name in PhotoMakerInput, plus our cancelAfter, webhookEvents, priority, expiresIn, referenceCheck, minLikeness and regenerateBelow', () => {
    const input = schema.getType('PhotoMakerInput') as import('graphql').GraphQLInputObjectType;
    expect(Object.keys(input.getFields()).sort()).toEqual(
      [
        'positivePrompt',
        'inputImages',
        'style',
        'strength',
        'width',
        'height',
        'model',
        'steps',
        'CFGScale',
        'scheduler',
        'seed',
        'clipSkip',
        'negativePrompt',
        'numberResults',
        'outputType',
        'outputFormat',
        'outputQuality',
        'includeCost',
        'safety',
        'webhookURL',
        'uploadEndpoint',
        'ttl',
        'deliveryMethod',
        // Runware's SDXL parameters a PhotoMaker job carries (acceleratorOptions: /v1 only).
        'lora',
        'vae',
        'promptWeighting',
        // Ours, not Runware's: the job's deadline, which events its webhookURL is sent, its place among the
        // tenant's queued jobs, a shorter life for its outputs and references (fal's expires_in), and the
        // reference-photo check and likeness bar (with its extra images).
        'cancelAfter',
        'webhookEvents',
        'priority',
        'expiresIn',
        'referenceCheck',
        'minLikeness',
        'regenerateBelow',
      ].sort(),
    );
    const style = schema.getType('Style') as import('graphql').GraphQLEnumType;
    expect(
      style
        .getValues()
        .map((v) => v.name)
        .sort(),
    ).toEqual(
      [
        'NO_STYLE',
        'CINEMATIC',
        'DISNEY_CHARACTER',
        'DIGITAL_ART',
        'PHOTOGRAPHIC',
        'FANTASY_ART',
        'NEONPUNK',
        'ENHANCE',
        'COMIC_BOOK',
        'LOWPOLY',
        'LINE_ART',
      ].sort(),
    );
  });
});
