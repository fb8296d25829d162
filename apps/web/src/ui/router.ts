import { useEffect, useState } from 'react';

export type Route =
  | { page: 'create' }
  | { page: 'job'; id: string }
  | { page: 'history' }
  | { page: 'gallery' }
  | { page: 'usage' }
  | { page: 'missing' };

function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'create' };
  if (pathname === '/history') return { page: 'history' };
  if (pathname === '/gallery') return { page: 'gallery' };
  if (pathname === '/usage') return { page: 'usage' };
  const job = /^\/jobs\/([^/]+)$/.exec(pathname);
  if (job?.[1]) return { page: 'job', id: decodeURIComponent(job[1]) };
  return { page: 'missing' };
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'create':
      return '/';
    case 'job':
      return `/jobs/${encodeURIComponent(route.id)}`;
    case 'missing':
      return '/';
    default:
      return `/${route.page}`;
  }
}

const listeners = new Set<() => void>();

/** History API navigation (the API serves index.html for every path: SPA fallback). */
export function navigate(href: string): void {
  if (href === window.location.pathname) return;
  window.history.pushState(null, '', href);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Click handler for in-app links: plain clicks navigate in place, modified clicks open tabs as usual. */
export function linkHandler(href: string) {
  return (event: React.MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(href);
  };
}
