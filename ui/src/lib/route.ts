// Hash routing without a router dependency: `#/policies` selects a page.
import { useEffect, useState } from 'react';

export const PAGES = [
  'dashboard',
  'agents',
  'policies',
  'simulate',
  'frameworks',
  'publish',
  'audit',
] as const;

export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  dashboard: 'Dashboard',
  agents: 'Agents',
  policies: 'Policies',
  simulate: 'Simulate',
  frameworks: 'Frameworks',
  publish: 'Publish',
  audit: 'Audit',
};

export function isPage(value: string): value is Page {
  return (PAGES as readonly string[]).includes(value);
}

/** `#/policies` → `policies`; anything unknown → `dashboard`. */
export function parseHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return isPage(name) ? name : 'dashboard';
}

export function hrefFor(page: Page): string {
  return `#/${page}`;
}

export function useHashRoute(): Page {
  const [page, setPage] = useState<Page>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setPage(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return page;
}
