// Pages whose feature is not built yet. Each says concretely what will be there, so the
// navigation already describes the whole product.
import { Icon } from '../components/Icon';
import { PageHeader } from '../components/PageHeader';
import type { Page } from '../lib/route';

interface Plan {
  lead: string;
  items: { title: string; text: string }[];
}

export const PLANS: Record<'publish', Plan> = {
  publish: {
    lead: 'Signed, reviewed, versioned policy bundles that your gateways and agents load.',
    items: [
      { title: 'Bundles', text: 'The validated policy set, schema and entities, built reproducibly with a content hash.' },
      { title: 'Review', text: 'A reviewer reads the replay diff for the change and approves or rejects it.' },
      { title: 'Signing', text: 'Bundles are signed on approval; enforcement points verify before loading.' },
      { title: 'Versions', text: 'Every published bundle, who approved it and what changed since the last one.' },
    ],
  },
};

export function PlannedPage({ page }: { page: keyof typeof PLANS & Page }) {
  const plan = PLANS[page];
  return (
    <section className="page" data-testid={`page-${page}`} aria-labelledby={`page-title-${page}`}>
      <PageHeader page={page} lead={plan.lead} />
      <div className="planned">
        <div className="planned-badge">
          <Icon name={page} />
          Not built yet — this is what will be here
        </div>
        <ul className="planned-list">
          {plan.items.map((item) => (
            <li key={item.title}>
              <strong>{item.title}</strong>
              <span>{item.text}</span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
