// Hash routing without a router dependency: `#/policies` selects a page.
import { useEffect, useState } from 'react';

export const PAGES = [
  'dashboard',
  'agents',
  'policies',
  'simulate',
  'insights',
  'frameworks',
  'publish',
  'audit',
  'settings',
] as const;

export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  dashboard: 'Dashboard',
  agents: 'Agents',
  policies: 'Policies',
  simulate: 'Simulate',
  insights: 'Insights',
  frameworks: 'Frameworks',
  publish: 'Publish',
  audit: 'Audit',
  settings: 'Settings',
};

export function isPage(value: string): value is Page {
  return (PAGES as readonly string[]).includes(value);
}

/** `#/policies` → `policies`; anything unknown → `dashboard`. */
export function parseHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return isPage(name) ? name : 'dashboard';
}

/** `#/agents/gaps` → `hrefFor('agents', 'gaps')`; the part after the page is a view. */
export function hrefFor(page: Page, view?: string): string {
  return view ? `#/${page}/${view}` : `#/${page}`;
}

/** The view part of a hash: `#/agents/gaps` → `gaps`, `#/agents` → `''`. */
export function parseView(hash: string): string {
  return hash.replace(/^#\/?/, '').split(/[?]/)[0]?.split('/')[1] ?? '';
}

/** `#/policies?file=policies%2Fa.cedar&line=3`: the Policies page opens the file at the line. */
export function policyHref(file: string, line?: number | null): string {
  const query = new URLSearchParams({ file });
  if (line) query.set('line', String(line));
  return `#/policies?${query.toString()}`;
}

/** The file (and line) a `policyHref` names, or `null`. */
export function parsePolicyTarget(hash: string): { file: string; line: number | null } | null {
  if (parseHash(hash) !== 'policies') return null;
  const at = hash.indexOf('?');
  if (at < 0) return null;
  const query = new URLSearchParams(hash.slice(at + 1));
  const file = query.get('file');
  if (!file) return null;
  const line = Number(query.get('line'));
  return { file, line: Number.isInteger(line) && line > 0 ? line : null };
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
