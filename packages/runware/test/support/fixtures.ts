/** A 1x1 PNG: enough for the schema's format sniffing. */
export const PNG_DATA_URI =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export const API_KEY = 'rw-test-key-0123456789abcdef';

export function task(overrides: Record<string, unknown> = {}) {
  return {
    inputImages: [PNG_DATA_URI],
    positivePrompt: 'wearing a suit, professional photo',
    model: 'civitai:139562@344487',
    width: 512,
    height: 512,
    ...overrides,
  };
}

export function result(taskUUID: string, n: number, extra: Record<string, unknown> = {}) {
  return {
    taskType: 'photoMaker',
    taskUUID,
    imageUUID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    imageURL: `http://127.0.0.1/images/${n}.jpg`,
    seed: 42 + n,
    ...extra,
  };
}
