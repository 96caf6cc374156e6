// Queries an analysis could not answer (environment, query, message, help): shown by
// Simulate → Analysis and an agent's Access tab, each with its own lead sentence.
import { useId } from 'react';
import type { AnalysisProblem } from '../bindings/AnalysisProblem';
import { Ticked } from '../pages/insights/FindingText';

export function ProblemList({
  problems,
  lead,
  testIdPrefix,
  className = 'panel',
}: {
  problems: AnalysisProblem[];
  lead: string;
  testIdPrefix: string;
  className?: string;
}) {
  const uid = useId();
  return (
    <section className={className} aria-labelledby={`${uid}-title`} data-testid={`${testIdPrefix}-problems`}>
      <h2 id={`${uid}-title`}>
        Problems <span className="heading-count">{problems.length}</span>
      </h2>
      <p className="muted small analysis-problems-lead">{lead}</p>
      <ul className="finding-list">
        {problems.map((p, i) => (
          <li key={i} className="finding finding-warning" data-testid={`${testIdPrefix}-problem`}>
            <div className="finding-head">
              <span className="mono">{p.environment}</span>
              <code className="analysis-query">{p.query}</code>
            </div>
            <p className="finding-message">
              <Ticked text={p.message} />
            </p>
            <span className="finding-help">
              <Ticked text={p.help} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
