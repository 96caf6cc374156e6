// The SMT solver an analysis ran with (kind, version, path, where it was found) and its
// caveat, if any: shown by Simulate → Analysis and an agent's Access tab.
import type { SolverInfo } from '../bindings/SolverInfo';

export function SolverLine({ solver, testIdPrefix }: { solver: SolverInfo; testIdPrefix: string }) {
  return (
    <>
      <p className="analysis-solver small" data-testid={`${testIdPrefix}-solver`} data-kind={solver.kind}>
        <span>
          Solver <strong>{`${solver.kind} ${solver.version}`}</strong>
        </span>
        <span className="mono muted">{solver.path}</span>
        <span className="muted">{solver.source}</span>
      </p>
      {solver.caveat && (
        <div className="banner banner-warning" role="status" data-testid={`${testIdPrefix}-solver-caveat`}>
          <div className="banner-body">
            <p className="banner-title">About this solver</p>
            <p className="banner-help">{solver.caveat}</p>
          </div>
        </div>
      )}
    </>
  );
}
