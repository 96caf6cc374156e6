import { Icon } from './Icon';

export function Welcome({ opening, onOpen }: { opening: boolean; onOpen: () => void }) {
  return (
    <section className="welcome" data-testid="welcome" aria-labelledby="welcome-title">
      <h1 id="welcome-title">Govern your AI agents</h1>
      <p className="lead">
        Mandate treats every AI agent as a workload with its own identity and an accountable
        human. You author the Cedar policies that authorize each of its actions, replay recorded
        requests against a change before it ships, map your controls to OWASP Agentic Top 10, CSA
        MAESTRO and NIST AI RMF, and publish signed, reviewed policy bundles.
      </p>
      <button
        type="button"
        className="btn btn-primary btn-large"
        onClick={onOpen}
        disabled={opening}
        data-testid="welcome-open"
      >
        <Icon name="folder" />
        {opening ? 'Opening…' : 'Open workspace…'}
      </button>
      <p className="muted">
        A workspace is a folder with a <code>mandate.toml</code>, your policies and your agent
        inventory — plain files you keep in version control.
      </p>
      <ul className="welcome-steps">
        <li>
          <strong>Model</strong>
          <span>Agents, the people accountable for them, their tools and data.</span>
        </li>
        <li>
          <strong>Authorize</strong>
          <span>Cedar policies per action, validated as you save.</span>
        </li>
        <li>
          <strong>Prove</strong>
          <span>Replay diffs, framework coverage and signed bundles.</span>
        </li>
      </ul>
    </section>
  );
}
