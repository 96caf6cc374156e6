import type { Severity } from '../bindings/Severity';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge badge-${severity}`}>{severity}</span>;
}

/** A count badge; renders nothing at zero unless `showZero`, to keep clean files quiet. */
export function CountBadge({
  count,
  severity,
  showZero = false,
}: {
  count: number;
  severity: 'error' | 'warning';
  showZero?: boolean;
}) {
  if (count === 0 && !showZero) return null;
  const label = `${count} ${severity}${count === 1 ? '' : 's'}`;
  return (
    <span className={count > 0 ? `count count-${severity}` : 'count count-zero'} title={label} aria-label={label}>
      {count}
    </span>
  );
}
