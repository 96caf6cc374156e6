// The publish gates checklist: every gate the core checks, ✓ passed, ✗ failed or – turned
// off in `[gates]`, with the core's detail of what it found or what to do.
import type { Gate } from '../../bindings/Gate';
import { GATE_MARKS, gateState } from '../../lib/publish';
import { Ticked } from '../insights/FindingText';

export function GateList({ gates }: { gates: readonly Gate[] }) {
  return (
    <ul className="pub-gates" aria-label="Publish gates" data-testid="gates">
      {gates.map((g) => {
        const state = gateState(g);
        return (
          <li
            key={g.id}
            className={`pub-gate pub-gate-${state}`}
            data-testid={`gate-${g.id}`}
            data-passed={g.passed}
            data-state={state}
          >
            <span className="pub-gate-mark" aria-hidden="true">
              {GATE_MARKS[state]}
            </span>
            <span className="pub-gate-text">
              <span className="pub-gate-title">
                {g.title}
                <span className="visually-hidden">: {state}</span>
              </span>
              <span className="pub-gate-detail" data-testid="gate-detail">
                <Ticked text={g.detail} />
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

