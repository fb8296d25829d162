import { useContext } from 'react';
import { AppContextValue } from './api-context.ts';
import { hrefFor, linkHandler, type Route } from './router.ts';

const NAV: { label: string; route: Route }[] = [
  { label: 'Create', route: { page: 'create' } },
  { label: 'History', route: { page: 'history' } },
  { label: 'Gallery', route: { page: 'gallery' } },
  { label: 'Usage', route: { page: 'usage' } },
];

export function Header({ route }: { route: Route }) {
  const app = useContext(AppContextValue);
  return (
    <header className="header">
      <a className="brand" href="/" onClick={linkHandler('/')}>
        <span className="brand-mark" aria-hidden="true">
          ◐
        </span>
        PhotoMaker
      </a>
      <nav className="nav" aria-label="Main">
        {NAV.map((item) => {
          const href = hrefFor(item.route);
          const active =
            route.page === item.route.page || (route.page === 'job' && item.route.page === 'history');
          return (
            <a key={href} href={href} className={active ? 'active' : undefined} onClick={linkHandler(href)}>
              {item.label}
            </a>
          );
        })}
      </nav>
      <div className="header-tools">
        {app?.temporalUiUrl && (
          <a className="tool-link" href={app.temporalUiUrl} target="_blank" rel="noreferrer">
            Temporal UI ↗
          </a>
        )}
        {app && (
          <button type="button" className="key-chip" onClick={app.changeKey} title="Change the API key">
            <span className="dot ok" aria-hidden="true" />
            {app.keySource === 'demo' ? 'demo key' : 'your key'}
          </button>
        )}
      </div>
    </header>
  );
}
