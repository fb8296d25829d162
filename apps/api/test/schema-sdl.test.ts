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
      'job',
      'jobs',
      'models',
      'styles',
      'webhookSigningSecret',
    ]);
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {}).sort()).toEqual([
      'cancelJob',
      'generatePhotoMaker',
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
    expect(signature('Mutation', 'uploadReferenceImage')).toBe(
      'uploadReferenceImage(image: String!): ReferenceImage!',
    );
    expect(signature('Mutation', 'cancelJob')).toBe('cancelJob(id: ID!): Job!');
    expect(signature('Query', 'job')).toBe('job(id: ID!): Job');
    expect(signature('Query', 'jobs')).toBe(
      'jobs(after: String, first: Int, status: JobStatus): JobConnection!',
    );
    expect(signature('Subscription', 'jobEvents')).toBe('jobEvents(afterSeq: Int, jobId: ID!): JobEvent!');
  });

  it('mirrors every Runware photoMaker parameter name in PhotoMakerInput, plus our cancelAfter, priority and referenceCheck', () => {
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
        // Ours, not Runware's: the job's deadline, queue priority and reference-photo check.
        'cancelAfter',
        'priority',
        'referenceCheck',
        'minLikeness',
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
