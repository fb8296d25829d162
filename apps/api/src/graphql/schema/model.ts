import { RECOMMENDED_MODELS, type RecommendedModel } from '@photomaker/schema';
import { builder } from '../builder.ts';

const Model = builder.objectRef<RecommendedModel>('Model').implement({
  description: 'An SDXL model recommended for PhotoMaker.',
  fields: (t) => ({
    air: t.exposeString('air', { description: 'AIR identifier to send as PhotoMakerInput.model.' }),
    name: t.exposeString('name'),
    version: t.exposeString('version'),
  }),
});

builder.queryField('models', (t) =>
  t.field({
    type: [Model],
    description: 'The recommended SDXL models (any SDXL AIR id is accepted); the first is the default.',
    resolve: () => [...RECOMMENDED_MODELS],
  }),
);
