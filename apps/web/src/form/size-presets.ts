/** SDXL's native resolutions (about one megapixel, sides divisible by 64): what PhotoMaker renders best. */
export interface SizePreset {
  id: string;
  label: string;
  ratio: string;
  width: number;
  height: number;
}

export const SIZE_PRESETS: readonly SizePreset[] = [
  { id: 'square', label: 'Square', ratio: '1:1', width: 1024, height: 1024 },
  { id: 'portrait', label: 'Portrait', ratio: '7:9', width: 896, height: 1152 },
  { id: 'photo', label: 'Photo', ratio: '2:3', width: 832, height: 1216 },
  { id: 'story', label: 'Story', ratio: '9:16', width: 768, height: 1344 },
  { id: 'landscape', label: 'Landscape', ratio: '9:7', width: 1152, height: 896 },
  { id: 'wide', label: 'Wide', ratio: '3:2', width: 1216, height: 832 },
  { id: 'cinema', label: 'Cinema', ratio: '16:9', width: 1344, height: 768 },
];

export const CUSTOM_SIZE = 'custom';
