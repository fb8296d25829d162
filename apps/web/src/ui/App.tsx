import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Api, ApiError } from '../api/client.ts';
import { type Catalog, CatalogQuery } from '../api/operations.ts';
import { loadWebConfig, storeApiKey, storedApiKey, type WebConfig } from '../api/web-config.ts';
import { type AppContext, AppContextValue } from './api-context.ts';
import { CreatePage } from './CreatePage.tsx';
import { type CreateDraft, CreateDraftContext, emptyDraft } from './create-draft.ts';
import { GalleryPage } from './GalleryPage.tsx';
import { Header } from './Header.tsx';
import { HistoryPage } from './HistoryPage.tsx';
import { JobPage } from './JobPage.tsx';
import { KeyDialog } from './KeyDialog.tsx';
import { useRoute } from './router.ts';
import { UsagePage } from './UsagePage.tsx';

interface KeyChoice {
  value: string;
  source: 'demo' | 'user';
}

export function App() {
  const route = useRoute();
  const [config, setConfig] = useState<WebConfig>();
  const [key, setKey] = useState<KeyChoice>();
  const [askKey, setAskKey] = useState<string | false>(false);
  const [catalog, setCatalog] = useState<Catalog>();
  // Held here, above the pages, so the create page's draft survives visiting another page.
  const draft = useRef<CreateDraft>(emptyDraft());

  useEffect(() => {
    void loadWebConfig().then((loaded) => {
      setConfig(loaded);
      const stored = storedApiKey();
      if (stored) setKey({ value: stored, source: 'user' });
      else if (loaded.apiKey) setKey({ value: loaded.apiKey, source: 'demo' });
      else setAskKey('This API runs without a demo key: enter one of its API keys (PHOTOMAKER_API_KEYS).');
    });
  }, []);

  const api = useMemo(() => (key ? new Api(key.value) : undefined), [key]);
  useEffect(() => () => api?.close(), [api]);

  useEffect(() => {
    if (!api) return;
    const controller = new AbortController();
    api
      .request(CatalogQuery, {}, controller.signal)
      .then(setCatalog)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
          setAskKey('The API refused this key. Enter a valid API key.');
        }
      });
    return () => controller.abort();
  }, [api]);

  const changeKey = useCallback(() => setAskKey('Enter an API key (it stays in this browser).'), []);

  const context = useMemo<AppContext | undefined>(
    () =>
      api && key
        ? {
            api,
            keySource: key.source,
            ...(config?.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
            ...(catalog ? { catalog } : {}),
            changeKey,
          }
        : undefined,
    [api, key, config, catalog, changeKey],
  );

  const dialog = askKey ? (
    <KeyDialog
      reason={askKey}
      canUseDemo={Boolean(config?.apiKey)}
      onSubmit={(value) => {
        storeApiKey(value);
        setKey(
          value
            ? { value, source: 'user' }
            : config?.apiKey
              ? { value: config.apiKey, source: 'demo' }
              : undefined,
        );
        setAskKey(false);
      }}
      {...(key ? { onCancel: () => setAskKey(false) } : {})}
    />
  ) : null;

  if (!context) {
    return (
      <div className="shell">
        <Header route={route} />
        <main className="page">
          <p className="muted loading">{config ? 'Waiting for an API key…' : 'Connecting to the API…'}</p>
        </main>
        {dialog}
      </div>
    );
  }

  return (
    <AppContextValue.Provider value={context}>
      <CreateDraftContext.Provider value={draft}>
        <div className="shell">
          <Header route={route} />
          <main className="page">
            {route.page === 'create' && <CreatePage />}
            {route.page === 'job' && <JobPage id={route.id} />}
            {route.page === 'history' && <HistoryPage />}
            {route.page === 'gallery' && <GalleryPage />}
            {route.page === 'usage' && <UsagePage />}
            {route.page === 'missing' && <p className="muted">Nothing here. Start from the Create page.</p>}
          </main>
          {dialog}
        </div>
      </CreateDraftContext.Provider>
    </AppContextValue.Provider>
  );
}
