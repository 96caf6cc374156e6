// Small stroke icons drawn inline (no icon font or image files, which the CSP would complicate).
import type { Page } from '../lib/route';

type IconName = Page | 'folder' | 'refresh' | 'close' | 'test' | 'library' | 'search';

const PATHS: Record<IconName, string> = {
  dashboard: 'M2.5 2.5h4.5v4.5h-4.5zM9 2.5h4.5v4.5h-4.5zM2.5 9h4.5v4.5h-4.5zM9 9h4.5v4.5h-4.5z',
  agents: 'M8 2.5a2.5 2.5 0 1 1 0 5a2.5 2.5 0 1 1 0-5zM3 13.5c0-2.8 2.2-4.5 5-4.5s5 1.7 5 4.5',
  policies: 'M8 1.8l5 2v4c0 3-2.2 5.2-5 6.4c-2.8-1.2-5-3.4-5-6.4v-4zM5.8 8l1.6 1.6l3-3.2',
  simulate: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2.5v2.6h2.6M7 5.8l3 2.2l-3 2.2z',
  insights: 'M2.5 13.5h11M4 11V8.5M7 11V4.5M10 11V6.5M13 11V2.5',
  frameworks: 'M8 2l6 3l-6 3l-6-3zM2 8l6 3l6-3M2 11l6 3l6-3',
  publish: 'M8 10.5v-8M5 5.3l3-2.8l3 2.8M2.5 10v3.5h11v-3.5',
  audit: 'M4 2.5h8v11h-8zM6 5.5h4M6 8h4M6 10.5h2.5',
  settings: 'M2 4h12M2 8h12M2 12h12M5 2.5v3M11 6.5v3M7 10.5v3',
  folder: 'M1.8 4v8.5h12.4v-7h-6.4l-1.5-1.5z',
  refresh: 'M13 8a5 5 0 1 1-1.5-3.6M13 2.5v2.6h-2.6',
  close: 'M4 4l8 8M12 4l-8 8',
  test: 'M6 2h4M6.8 2v4.2l-3.6 6.2c-.4.7.1 1.6.9 1.6h7.8c.8 0 1.3-.9.9-1.6l-3.6-6.2V2M4.8 10.5h6.4',
  library: 'M2.5 2.5h3v11h-3zM6.5 2.5h3v11h-3zM10.2 3.4l2.4-.6l2.3 10.1l-2.4.6z',
  search: 'M7 2.5a4.5 4.5 0 1 1 0 9a4.5 4.5 0 1 1 0-9zM10.3 10.3l3.2 3.2',
};

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
