import { PHOTOMAKER_STYLES, type PhotoMakerStyle } from '@photomaker/schema';
import { builder } from '../builder.ts';
import { StyleEnum } from './enums.ts';

const StyleInfo = builder.objectRef<PhotoMakerStyle>('StyleInfo').implement({
  description: 'One PhotoMaker style.',
  fields: (t) => ({
    style: t.field({
      type: StyleEnum,
      description: 'The enum value to send in PhotoMakerInput.style.',
      resolve: (s) => s,
    }),
    name: t.string({ description: "Runware's name for it (what /v1 clients send).", resolve: (s) => s }),
  }),
});

builder.queryField('styles', (t) =>
  t.field({
    type: [StyleInfo],
    description: 'Every PhotoMaker style, NO_STYLE first (best identity fidelity).',
    resolve: () => [...PHOTOMAKER_STYLES],
  }),
);
