/** Runware's recommended SDXL models for PhotoMaker (AIR ids), from the PhotoMaker API page. */
export const RECOMMENDED_MODELS = [
  { air: 'civitai:139562@344487', name: 'RealVisXL', version: 'V4.0 (BakedVAE)' },
  { air: 'civitai:101055@128078', name: 'SDXL', version: 'v1.0 VAE fix' },
  { air: 'civitai:112902@126688', name: 'DreamShaper XL', version: 'alpha2 (xl1.0)' },
  { air: 'civitai:133005@288982', name: 'Juggernaut XL', version: 'V 8 + RunDiffusion' },
  { air: 'civitai:133005@782002', name: 'Juggernaut XL', version: 'Jugg_XI_by_RunDiffusion' },
  { air: 'civitai:133005@456194', name: 'Juggernaut XL', version: 'Jugg_X_by RunDiffusion' },
  { air: 'civitai:133005@240840', name: 'Juggernaut XL', version: 'V 7 + RunDiffusion' },
  { air: 'civitai:133005@198530', name: 'Juggernaut XL', version: 'Version 6 + RunDiffusion' },
  { air: 'civitai:133005@348913', name: 'Juggernaut XL', version: 'V9 + RunDiffusionPhoto 2' },
  { air: 'civitai:152525@293240', name: 'Realism Engine SDXL', version: 'v3.0 VAE' },
  { air: 'civitai:133005@471120', name: 'Juggernaut XL', version: 'Jugg_X_RunDiffusion_Hyper' },
] as const;

export type RecommendedModel = (typeof RECOMMENDED_MODELS)[number];

export const DEFAULT_MODEL = RECOMMENDED_MODELS[0].air;

/** AIR identifier: `source:id@version`, e.g. `civitai:139562@344487` or `runware:101@1`. */
export const AIR_PATTERN = /^[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$/;
