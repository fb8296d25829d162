/** What the API tells the browser at GET /web-config.json (served by apps/api/src/http/web-routes.ts). */
export interface WebConfig {
  /** The launcher's demo key, when it runs with one. */
  apiKey?: string;
  temporalUiUrl?: string;
}

const STORAGE_KEY = 'photomaker.apiKey';

export async function loadWebConfig(): Promise<WebConfig> {
  try {
    const response = await fetch('/web-config.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return {};
    const body = (await response.json()) as Record<string, unknown>;
    return {
      ...(typeof body.apiKey === 'string' && body.apiKey ? { apiKey: body.apiKey } : {}),
      ...(typeof body.temporalUiUrl === 'string' && body.temporalUiUrl
        ? { temporalUiUrl: body.temporalUiUrl }
        : {}),
    };
  } catch {
    return {};
  }
}

/** A key the user typed wins over the demo key; kept in this browser only. */
export function storedApiKey(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeApiKey(key: string | undefined): void {
  try {
    if (key) localStorage.setItem(STORAGE_KEY, key);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // private mode: the key lasts for this page only
  }
}
