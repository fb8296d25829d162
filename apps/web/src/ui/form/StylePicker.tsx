import { STYLE_ENUM, type StyleEnumName } from '@photomaker/schema';

const BLURB: Record<StyleEnumName, string> = {
  NO_STYLE: 'your prompt as is; best likeness',
  CINEMATIC: 'film still, moody light',
  DISNEY_CHARACTER: 'animated 3D character',
  DIGITAL_ART: 'painterly concept art',
  PHOTOGRAPHIC: '35 mm photo, bokeh',
  FANTASY_ART: 'ethereal, magical',
  NEONPUNK: 'cyberpunk neon',
  ENHANCE: 'polished, award-winning',
  COMIC_BOOK: 'graphic novel art',
  LOWPOLY: 'polygon game art',
  LINE_ART: 'minimal line drawing',
};

export function StylePicker(props: {
  value: StyleEnumName;
  styles?: { style: StyleEnumName; name: string }[] | undefined;
  onChange(style: StyleEnumName): void;
}) {
  const styles =
    props.styles ??
    (Object.entries(STYLE_ENUM) as [StyleEnumName, string][]).map(([style, name]) => ({ style, name }));
  return (
    <fieldset className="field style-picker">
      <legend>Style</legend>
      <div className="style-grid" role="radiogroup" aria-label="Style">
        {styles.map(({ style, name }) => (
          // biome-ignore lint/a11y/useSemanticElements: a styled radio card; role + aria-checked say what it is
          <button
            key={style}
            type="button"
            role="radio"
            aria-checked={props.value === style}
            data-style={style}
            className={`style-card style-${style.toLowerCase()}${props.value === style ? ' selected' : ''}`}
            onClick={() => props.onChange(style)}
          >
            <span className="style-name">{name}</span>
            <span className="style-blurb">{BLURB[style]}</span>
          </button>
        ))}
      </div>
    </fieldset>
  );
}
