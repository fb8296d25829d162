/** The 11 PhotoMaker styles, spelled exactly as Runware expects them on the wire. */
export const PHOTOMAKER_STYLES = [
  'No style',
  'Cinematic',
  'Disney Character',
  'Digital Art',
  'Photographic',
  'Fantasy art',
  'Neonpunk',
  'Enhance',
  'Comic book',
  'Lowpoly',
  'Line art',
] as const;

export type PhotoMakerStyle = (typeof PHOTOMAKER_STYLES)[number];

export const DEFAULT_STYLE: PhotoMakerStyle = 'No style';

/** GraphQL enum name <-> Runware wire name. GraphQL enum values cannot contain spaces. */
export const STYLE_ENUM = {
  NO_STYLE: 'No style',
  CINEMATIC: 'Cinematic',
  DISNEY_CHARACTER: 'Disney Character',
  DIGITAL_ART: 'Digital Art',
  PHOTOGRAPHIC: 'Photographic',
  FANTASY_ART: 'Fantasy art',
  NEONPUNK: 'Neonpunk',
  ENHANCE: 'Enhance',
  COMIC_BOOK: 'Comic book',
  LOWPOLY: 'Lowpoly',
  LINE_ART: 'Line art',
} as const satisfies Record<string, PhotoMakerStyle>;

export type StyleEnumName = keyof typeof STYLE_ENUM;

const ENUM_BY_STYLE = new Map<PhotoMakerStyle, StyleEnumName>(
  Object.entries(STYLE_ENUM).map(([name, style]) => [style, name as StyleEnumName]),
);

export function styleEnumName(style: PhotoMakerStyle): StyleEnumName {
  const name = ENUM_BY_STYLE.get(style);
  if (!name) throw new TypeError(`unknown PhotoMaker style '${style}'`);
  return name;
}
