/** Tiny but real image headers, enough for the format sniffing that validation does. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const JPEG_BASE64 = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA==';
const WEBP_BASE64 = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';
export const GIF_BASE64 = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';

export const PNG_DATA_URI = `data:image/png;base64,${PNG_BASE64}`;
export const JPEG_DATA_URI = `data:image/jpeg;base64,${JPEG_BASE64}`;
export const WEBP_DATA_URI = `data:image/webp;base64,${WEBP_BASE64}`;

export const TASK_UUID = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';
export const IMAGE_UUID = '989ba605-1449-4e1e-b462-cd83ec9c1a67';

/** The smallest valid photoMaker task: only the required parameters. */
export function minimalTask(): Record<string, unknown> {
  return {
    taskType: 'photoMaker',
    taskUUID: TASK_UUID,
    inputImages: [PNG_DATA_URI],
    positivePrompt: 'wearing a suit, professional photo',
    model: 'civitai:139562@344487',
    width: 1024,
    height: 1024,
  };
}
