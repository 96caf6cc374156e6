import type { ReactNode } from 'react';
import { PAGE_TITLES, type Page } from '../lib/route';

export function PageHeader({ page, lead, children }: { page: Page; lead?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1 id={`page-title-${page}`}>{PAGE_TITLES[page]}</h1>
        {lead && <p className="page-lead">{lead}</p>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}
