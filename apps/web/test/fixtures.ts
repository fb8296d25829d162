import sharp from 'sharp';

/**
 * Reference "photos" for browser tests: a simple drawn face (SVG rendered by sharp), different skin,
 * hair and background per index, so the emulator's images visibly come from them.
 */
export async function facePhoto(index: number, size = 640): Promise<Buffer> {
  const palettes = [
    { bg: '#7aa7d9', skin: '#f1c7a5', hair: '#4a2f23', shirt: '#2e4e7e' },
    { bg: '#d9a07a', skin: '#c98e6b', hair: '#1d1a1a', shirt: '#7e2e4e' },
    { bg: '#8fd9a0', skin: '#e8b894', hair: '#8a5a2b', shirt: '#2e7e5a' },
    { bg: '#c3a0d9', skin: '#a8714f', hair: '#2b2b2b', shirt: '#5a2e7e' },
  ];
  const p = palettes[index % palettes.length] ?? palettes[0];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">
    <rect width="100" height="100" fill="${p?.bg}"/>
    <ellipse cx="50" cy="98" rx="38" ry="22" fill="${p?.shirt}"/>
    <rect x="43" y="62" width="14" height="14" fill="${p?.skin}"/>
    <ellipse cx="50" cy="46" rx="22" ry="27" fill="${p?.skin}"/>
    <path d="M27 44 Q28 16 50 16 Q73 16 73 44 Q70 28 50 27 Q31 28 27 44 Z" fill="${p?.hair}"/>
    <ellipse cx="41" cy="46" rx="3" ry="2.2" fill="#222"/>
    <ellipse cx="59" cy="46" rx="3" ry="2.2" fill="#222"/>
    <path d="M50 48 L47 57 L52 57" stroke="#8a5a44" stroke-width="1.2" fill="none"/>
    <path d="M42 63 Q50 ${68 + index} 58 63" stroke="#9b3d3d" stroke-width="1.8" fill="none"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
