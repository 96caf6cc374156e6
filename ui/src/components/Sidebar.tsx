import { hrefFor, PAGE_TITLES, PAGES, type Page } from '../lib/route';
import { Icon } from './Icon';

export function Sidebar({ current }: { current: Page }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <ul>
        {PAGES.map((page) => (
          <li key={page}>
            <a
              href={hrefFor(page)}
              className="nav-item"
              data-testid={`nav-${page}`}
              aria-current={page === current ? 'page' : undefined}
            >
              <Icon name={page} />
              {PAGE_TITLES[page]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
