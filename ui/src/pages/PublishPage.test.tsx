import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import {
  bundleEntry,
  bundleView,
  deferred,
  FakeBackend,
  fakeKeyId,
  requestSet,
  signature,
  verifyReport,
  workspace,
} from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { PublishPage } from './PublishPage';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  window.history.replaceState(null, '', '#/publish');
});

const DANA = fakeKeyId(1);
const BOB = fakeKeyId(2);
const DRAFT = '/home/ana/acme-governance/.mandate/drafts/1.0.0';

function renderPage() {
  return renderWithBackend(backend, <PublishPage workspace={workspace()} />);
}

const gateRow = (id: string) => screen.getByTestId(`gate-${id}`);

/** Fills the build form and builds; resolves once the evidence step shows the bundle. */
async function build(summary = 'first release') {
  renderPage();
  const key = await screen.findByTestId<HTMLSelectElement>('build-key');
  await waitFor(() => expect(key.value).toBe(DANA));
  fireEvent.change(screen.getByTestId('build-summary'), { target: { value: summary } });
  fireEvent.click(screen.getByTestId('build-submit'));
  await screen.findByTestId('step-evidence');
}

function goTo(step: string) {
  fireEvent.click(screen.getByTestId(`step-tab-${step}`));
}

describe('building a bundle', () => {
  it('offers the local keys with the acting person’s first, and the next version as placeholder', async () => {
    backend.published = [bundleEntry({ version: '1.2.0' })];
    renderPage();
    const key = await screen.findByTestId<HTMLSelectElement>('build-key');
    await waitFor(() => expect(key.value).toBe(DANA));
    expect([...key.options].map((o) => o.textContent)).toEqual([
      'dana@acme.example · ed25519:111111111111…',
      'bob@acme.example · ed25519:222222222222…',
    ]);
    await waitFor(() => expect(screen.getByTestId<HTMLInputElement>('build-version').placeholder).toBe('1.3.0'));
    // Nothing to build without a summary.
    expect(screen.getByTestId<HTMLButtonElement>('build-submit').disabled).toBe(true);
    // Later steps open only once there is a bundle.
    expect(screen.getByTestId<HTMLButtonElement>('step-tab-gates').disabled).toBe(true);
  });

  it('shows a busy state while building, then the evidence and the live gates checklist', async () => {
    const gate = deferred();
    backend.buildGate = gate.promise;
    renderPage();
    const key = await screen.findByTestId<HTMLSelectElement>('build-key');
    await waitFor(() => expect(key.value).toBe(DANA));
    fireEvent.change(screen.getByTestId('build-version'), { target: { value: '1.0.0' } });
    fireEvent.change(screen.getByTestId('build-summary'), { target: { value: 'first release' } });
    fireEvent.change(screen.getByTestId('build-accept-drop'), { target: { value: '  ' } });
    fireEvent.click(screen.getByTestId('build-submit'));

    expect(await screen.findByTestId('build-busy')).toBeTruthy();
    expect(screen.getByTestId('build-submit').textContent).toBe('Building…');
    expect(screen.getByTestId<HTMLInputElement>('build-summary').disabled).toBe(true);
    gate.resolve();
    await act(async () => {});

    expect(backend.calls.bundleBuild).toEqual([
      {
        version: '1.0.0',
        summary: 'first release',
        out: null,
        key: DANA,
        set: null,
        sign: true,
        accept_coverage_drop: null,
      },
    ]);
    const evidence = await screen.findByTestId('step-evidence');
    expect(within(evidence).getByTestId('evidence-version').textContent).toBe('1.0.0');
    expect(within(evidence).getByTestId('evidence-summary').textContent).toBe('first release');
    expect(within(evidence).getByTestId('signature-status').getAttribute('data-state')).toBe('valid');
    expect(within(evidence).getByTestId('evidence-validation').textContent).toBe('16 statements · 0 errors · 2 warnings');
    expect(within(evidence).getByTestId('evidence-requests').textContent).toBe('5,000Requests');
    expect(within(evidence).getByTestId('evidence-changed').textContent).toBe('3,513Changed');
    const touched = within(evidence).getAllByTestId('touched-agent');
    expect(touched.map((t) => t.getAttribute('data-agent'))).toEqual(['auto-remediator', 'billing-bot', 'scraper-x']);
    expect(touched[0]?.querySelector('[data-tier]')?.getAttribute('data-tier')).toBe('critical');
    expect(touched[2]?.textContent).toContain('unknown');
    expect(within(evidence).getByTestId('evidence-review').textContent).toContain('first · approve by bob@acme.example');
    expect(within(evidence).getByTestId('evidence-scope').textContent).toContain('1 approval');
    const coverage = within(evidence).getByTestId('evidence-coverage');
    expect(coverage.querySelector('[data-framework="nist-ai-rmf-1.0"]')?.textContent).toContain('16.2%');

    // The gates were asked for right after the build.
    expect(backend.calls.bundleGates).toEqual([DRAFT]);
    expect(screen.getByTestId('step-tab-gates').textContent).toContain('1 failing');
    expect(screen.getByTestId('step-tab-approvals').textContent).toContain('0 of 1');
    goTo('gates');
    const rows = within(screen.getByTestId('gates')).getAllByRole('listitem');
    expect(rows).toHaveLength(9);
    expect(screen.getByTestId('gates-summary').textContent).toBe('Not ready to publish · 7 of 8 gates pass · 1 turned off');
    expect(gateRow('approvals').getAttribute('data-passed')).toBe('false');
    expect(gateRow('approvals').textContent).toContain('0 of 1 required approval(s)');
    expect(gateRow('approvals').textContent).toContain('✗');
    expect(gateRow('integrity').textContent).toContain('✓');
    expect(gateRow('replay_errors').getAttribute('data-state')).toBe('skipped');
    expect(gateRow('replay_errors').textContent).toContain('–');

    // Refresh asks again.
    fireEvent.click(screen.getByTestId('gates-refresh'));
    await waitFor(() => expect(backend.calls.bundleGates).toHaveLength(2));
  });

  it('shows the core’s refusal to build with its code', async () => {
    const refused: ApiError = { code: 'invalid_argument', message: 'version 0.9.0 is not greater than the last published 1.0.0', help: null, diagnostics: [] };
    backend.build = () => {
      throw refused;
    };
    renderPage();
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>('build-key').value).toBe(DANA));
    fireEvent.change(screen.getByTestId('build-summary'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('build-submit'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.getAttribute('data-code')).toBe('invalid_argument');
    expect(banner.textContent).toContain('not greater than the last published 1.0.0');
    expect(screen.getByTestId('wizard').getAttribute('data-step')).toBe('build');
  });

  it('offers to make a key when there is none, then selects it', async () => {
    backend.keys = { ...backend.keys, local: [], keys: [] };
    renderPage();
    const none = await screen.findByTestId('build-no-key');
    const owner = within(none).getByTestId<HTMLInputElement>('keygen-owner');
    await waitFor(() => expect(owner.value).toBe('dana@acme.example'));
    fireEvent.click(within(none).getByTestId('keygen-submit'));
    await waitFor(() => expect(screen.queryByTestId('build-no-key')).toBeNull());
    expect(backend.calls.generateKey).toEqual(['dana@acme.example']);
    const key = screen.getByTestId<HTMLSelectElement>('build-key');
    expect(key.value).toBe(DANA);
    expect(key.selectedOptions[0]?.textContent).toBe('dana@acme.example · ed25519:111111111111… (not trusted here)');
  });

  it('opens a bundle built before from a path relative to the workspace', async () => {
    backend.bundleFiles.set(DRAFT, bundleView());
    renderPage();
    fireEvent.change(await screen.findByTestId('open-path'), { target: { value: '.mandate/drafts/1.0.0' } });
    fireEvent.click(screen.getByTestId('open-submit'));
    await screen.findByTestId('step-evidence');
    expect(backend.calls.bundleView).toEqual([DRAFT]);
  });

  it('opens a bundle chosen in the system dialog; a cancelled dialog opens nothing', async () => {
    const elsewhere = '/mnt/review/acme-1.0.0.mandate-bundle';
    backend.bundleFiles.set(elsewhere, bundleView());
    renderPage();
    fireEvent.click(await screen.findByTestId('open-browse-folder'));
    await waitFor(() => expect(backend.calls.pick).toEqual([{ kind: 'folder', title: 'Open a bundle folder' }]));
    expect(backend.calls.bundleView).toEqual([]);
    backend.picked = elsewhere;
    fireEvent.click(screen.getByTestId('open-browse-file'));
    await screen.findByTestId('step-evidence');
    expect(backend.calls.pick.at(-1)).toEqual({ kind: 'file', title: 'Open a bundle file' });
    // Absolute: the core reads it only because the dialog chose it.
    expect(backend.calls.bundleView).toEqual([elsewhere]);
  });
});

describe('approving', () => {
  it('shows the author’s own approval refused inline, then counts another person’s and re-checks the gates', async () => {
    await build();
    goTo('approvals');
    expect(screen.getByTestId('approvals-count').textContent).toMatch(/^0 of 1 required approval/);
    expect(screen.getByTestId('approvals-empty')).toBeTruthy();
    // Bob is offered first: Dana wrote the bundle.
    const key = screen.getByTestId<HTMLSelectElement>('approve-key');
    expect(key.value).toBe(BOB);
    expect([...key.options].map((o) => o.textContent)[0]).toContain('— the author');

    fireEvent.change(key, { target: { value: DANA } });
    fireEvent.click(screen.getByTestId('approve-submit'));
    const refused = await screen.findByTestId('approve-error');
    expect(refused.getAttribute('data-code')).toBe('key_refused');
    expect(screen.getByTestId('approve-error-message').textContent).toBe(
      'dana@acme.example is the author of Acme agent governance 1.0.0: an author cannot approve their own bundle',
    );
    expect(refused.textContent).toContain('two-person rule');

    const gatesBefore = backend.calls.bundleGates.length;
    fireEvent.change(key, { target: { value: BOB } });
    fireEvent.change(screen.getByTestId('approve-comment'), { target: { value: 'looks right' } });
    fireEvent.click(screen.getByTestId('approve-submit'));
    const row = await screen.findByTestId('approval');
    expect(backend.calls.bundleApprove.at(-1)).toEqual({ path: DRAFT, key: BOB, comment: 'looks right' });
    expect(screen.queryByTestId('approve-error')).toBeNull();
    expect(row.getAttribute('data-signer')).toBe('bob@acme.example');
    expect(row.textContent).toContain('looks right');
    expect(row.textContent).toContain('✓ valid');
    expect(screen.getByTestId('approvals-count').textContent).toMatch(/^1 of 1 required approval/);
    await waitFor(() => expect(screen.getByTestId('approvals-gate').getAttribute('data-passed')).toBe('true'));
    expect(backend.calls.bundleGates.length).toBe(gatesBefore + 1);
    goTo('gates');
    expect(gateRow('approvals').getAttribute('data-passed')).toBe('true');
    expect(screen.getByTestId('gates-summary').textContent).toBe('Ready to publish · 8 of 8 gates pass · 1 turned off');
  });

  it('shows an approval that does not count with its problem', async () => {
    backend.bundleFiles.set(
      DRAFT,
      bundleView({ approvals: [signature({ role: 'approval', signer: 'mallory@evil.example', key: fakeKeyId(9), valid: false, problem: 'not a trusted key' })] }),
    );
    renderPage();
    fireEvent.change(await screen.findByTestId('open-path'), { target: { value: DRAFT } });
    fireEvent.click(screen.getByTestId('open-submit'));
    await screen.findByTestId('step-evidence');
    goTo('approvals');
    const row = screen.getByTestId('approval');
    expect(row.getAttribute('data-valid')).toBe('false');
    expect(row.textContent).toContain('✗ not a trusted key');
    expect(screen.getByTestId('approvals-count').textContent).toMatch(/^0 of 1/);
  });
});

describe('publishing', () => {
  it('lists the failed gates when the core refuses, then publishes once approved and shows the result', async () => {
    await build();
    goTo('publish');
    expect(screen.getByTestId('publish-gates-summary').textContent).toContain('7 of 8 gates pass');
    fireEvent.click(screen.getByTestId('publish-submit'));
    const refused = await screen.findByTestId('publish-refused');
    expect(refused.getAttribute('data-code')).toBe('gate_failed');
    expect(refused.textContent).toContain('Not published: 1 gate failed');
    const failed = within(refused).getAllByTestId('publish-refused-gate');
    expect(failed.map((f) => f.getAttribute('data-gate'))).toEqual(['approvals']);
    expect(failed[0]?.textContent).toBe('Required approvals present and valid: 0 of 1 required approval(s)');
    expect(screen.queryByTestId('publish-result')).toBeNull();

    goTo('approvals');
    fireEvent.click(screen.getByTestId('approve-submit'));
    await screen.findByTestId('approval');
    goTo('publish');
    fireEvent.change(screen.getByTestId('publish-to'), { target: { value: '/srv/bundles' } });
    fireEvent.click(screen.getByTestId('publish-submit'));
    const result = await screen.findByTestId('publish-result');
    expect(backend.calls.bundlePublish.at(-1)).toEqual({ path: DRAFT, to: '/srv/bundles' });
    expect(result.getAttribute('data-version')).toBe('1.0.0');
    expect(result.textContent).toContain('Published 1.0.0');
    expect(screen.getByTestId('publish-hash').textContent).toBe('sha256:bc57c6e721f9…');
    expect(screen.getByTestId('publish-path').textContent).toBe('bundles/1.0.0');
    expect(screen.getByTestId('publish-copied-to').textContent).toBe('/srv/bundles/acme-agent-governance-1.0.0.mandate-bundle');
    expect(screen.queryByTestId('publish-refused')).toBeNull();

    // The history was read again and lists it.
    await waitFor(() => expect(screen.getByTestId('bundle-row-1.0.0')).toBeTruthy());
    expect(screen.getByTestId('publish-tab-history').textContent).toBe('History1');
    // Another bundle starts from an empty form, with the next version offered.
    fireEvent.click(screen.getByTestId('publish-start-over'));
    expect(screen.getByTestId<HTMLInputElement>('build-summary').value).toBe('');
    expect(screen.getByTestId<HTMLInputElement>('build-version').placeholder).toBe('1.1.0');
  });

  it('signs an unsigned bundle as its author before publishing', async () => {
    backend.build = (request) => bundleView({ version: '1.0.0', summary: request.summary, signed: false, approvals: [signature({ role: 'approval', signer: 'bob@acme.example', key: BOB })] });
    await build();
    goTo('publish');
    expect(screen.getByTestId('signature-status').getAttribute('data-state')).toBe('unsigned');
    expect(screen.getByTestId<HTMLButtonElement>('publish-submit').disabled).toBe(true);
    fireEvent.click(screen.getByTestId('sign-submit'));
    await waitFor(() => expect(screen.getByTestId('signature-status').getAttribute('data-state')).toBe('valid'));
    expect(backend.calls.bundleSign).toEqual([{ path: DRAFT, key: DANA }]);
    expect(screen.queryByTestId('sign-submit')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('publish-gates-summary').getAttribute('data-passed')).toBe('true'));
    expect(screen.getByTestId<HTMLButtonElement>('publish-submit').disabled).toBe(false);
  });

  it('copies to a folder chosen in the system dialog', async () => {
    backend.build = (request) => bundleView({ version: '1.0.0', summary: request.summary, approvals: [signature({ role: 'approval', signer: 'bob@acme.example', key: BOB })] });
    await build();
    goTo('publish');
    backend.picked = '/mnt/enforcement/bundles';
    fireEvent.click(screen.getByTestId('publish-to-browse'));
    await waitFor(() => expect(screen.getByTestId<HTMLInputElement>('publish-to').value).toBe('/mnt/enforcement/bundles'));
    expect(backend.calls.pick).toEqual([{ kind: 'folder', title: 'Copy the published bundle to' }]);
    await waitFor(() => expect(screen.getByTestId('publish-gates-summary').getAttribute('data-passed')).toBe('true'));
    fireEvent.click(screen.getByTestId('publish-submit'));
    await screen.findByTestId('publish-result');
    expect(backend.calls.bundlePublish).toEqual([{ path: DRAFT, to: '/mnt/enforcement/bundles' }]);
  });

  it('shows a folder typed outside the workspace refused with its code', async () => {
    const outside: ApiError = {
      code: 'path_outside_workspace',
      message: '`/srv/bundles` is outside the workspace',
      help: 'choose a file or folder outside the workspace with its Browse… button (the system dialog)',
      diagnostics: [],
    };
    backend.build = (request) => bundleView({ version: '1.0.0', summary: request.summary, approvals: [signature({ role: 'approval', signer: 'bob@acme.example', key: BOB })] });
    backend.publishError = outside;
    await build();
    goTo('publish');
    await waitFor(() => expect(screen.getByTestId('publish-gates-summary').getAttribute('data-passed')).toBe('true'));
    fireEvent.change(screen.getByTestId('publish-to'), { target: { value: '/srv/bundles' } });
    fireEvent.click(screen.getByTestId('publish-submit'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.getAttribute('data-code')).toBe('path_outside_workspace');
    expect(banner.textContent).toContain('Browse…');
    expect(screen.queryByTestId('publish-result')).toBeNull();
  });
});

describe('history', () => {
  it('lists the published bundles with their approvals and verification, and verifies one on demand', async () => {
    backend.published = [
      bundleEntry({
        version: '1.1.0',
        hash: 'sha256:66afc78c9c49aaaabbbbccccddddeeeeffff0000111122223333444455556666',
        summary: 'narrow step-up',
        approvals: 0,
        required_approvals: 2,
        verified: false,
        problems: ['approvals.json: 0 valid approval(s) of 2 required'],
      }),
      bundleEntry(),
    ];
    window.history.replaceState(null, '', '#/publish/history');
    renderPage();
    const newer = await screen.findByTestId('bundle-row-1.1.0');
    expect(screen.getByTestId('publish-tab-history').getAttribute('aria-selected')).toBe('true');
    expect(newer.getAttribute('data-verified')).toBe('false');
    expect(within(newer).getByTestId('bundle-approvals').textContent).toBe('0 / 2');
    expect(within(newer).getByTestId('bundle-verified').textContent).toBe('approvals.json: 0 valid approval(s) of 2 required');
    expect(newer.textContent).toContain('sha256:66afc78c9c49…');
    const older = screen.getByTestId('bundle-row-1.0.0');
    expect(within(older).getByTestId('bundle-approvals').textContent).toBe('1 / 1');
    expect(within(older).getByTestId('bundle-verified').textContent).toBe('✓ verified');
    expect(older.textContent).toContain('dana@acme.example');

    fireEvent.click(within(older).getByTestId('verify-button'));
    const result = await screen.findByTestId('verify-result');
    expect(backend.calls.bundleVerify).toEqual([{ path: '1.0.0', requireApproved: true }]);
    expect(result.getAttribute('data-ok')).toBe('true');
    expect(screen.getByTestId('verify-headline').textContent).toBe('✓ 1.0.0 verified');
    expect(screen.getByTestId('verify-integrity').textContent).toBe('every file matches the manifest');
    expect(screen.getByTestId('verify-signature').textContent).toBe('valid (dana@acme.example)');
    expect(screen.getByTestId('verify-approvals').textContent).toBe('1 valid of 1 required — bob@acme.example');
    expect(screen.getByTestId('verify-chain').textContent).toBe('first bundle — the first bundle: no parent');

    backend.verify = (path) =>
      verifyReport({
        path,
        ok: false,
        approved: false,
        required_approvals: 2,
        chain: 'unknown_parent',
        chain_detail: 'parent sha256:0000… is not a published bundle of this workspace',
        problems: [
          { file: 'approvals.json', message: '0 valid approval(s) of 2 required' },
          { file: 'manifest.json', message: 'parent sha256:0000… is not a published bundle of this workspace' },
        ],
      });
    fireEvent.click(within(newer).getByTestId('verify-button'));
    await waitFor(() => expect(screen.getByTestId('verify-result').getAttribute('data-version')).toBe('1.1.0'));
    expect(screen.getByTestId('verify-headline').textContent).toBe('✗ 1.1.0 does not verify');
    expect(screen.getByTestId('verify-chain').getAttribute('data-chain')).toBe('unknown_parent');
    expect(within(screen.getByTestId('verify-problems')).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'approvals.json 0 valid approval(s) of 2 required',
      'manifest.json parent sha256:0000… is not a published bundle of this workspace',
    ]);
  });

  it('says how bundles get there when nothing is published', async () => {
    window.history.replaceState(null, '', '#/publish/history');
    renderPage();
    expect((await screen.findByTestId('history-empty')).textContent).toContain('bundles/VERSION');
  });
});

describe('compare', () => {
  beforeEach(() => {
    backend.published = [bundleEntry({ version: '1.1.0' }), bundleEntry({ version: '1.0.0' })];
    backend.sets = [requestSet({ name: 'prod' })];
    window.history.replaceState(null, '', '#/publish/diff');
  });

  it('renders the policy text diff per policy with its counts', async () => {
    renderPage();
    const from = await screen.findByTestId<HTMLSelectElement>('diff-from');
    await waitFor(() => expect(from.value).toBe('1.0.0'));
    expect(screen.getByTestId<HTMLSelectElement>('diff-to').value).toBe('1.1.0');
    fireEvent.click(screen.getByTestId('diff-submit'));
    const counts = await screen.findByTestId('diff-counts');
    expect(backend.calls.bundleDiff).toEqual([{ from: '1.0.0', to: '1.1.0' }]);
    expect(counts.textContent).toBe('1.0.0 → 1.1.0: 1 changed · 1 added · 0 removed · 5 unchanged');
    const policies = screen.getAllByTestId('diff-policy');
    expect(policies.map((p) => [p.getAttribute('data-policy'), p.getAttribute('data-change')])).toEqual([
      ['step-up-for-sensitive-tools', 'changed'],
      ['permit-faq-reads', 'added'],
    ]);
    expect(within(policies[0]!).getByTestId('diff-stat').textContent).toBe('+1 −1');
    expect(within(policies[1]!).getByTestId('diff-stat').textContent).toBe('+2 −0');
    const lines = [...policies[0]!.querySelectorAll('.pub-diff-line')];
    expect(lines.map((l) => l.getAttribute('data-kind'))).toEqual([' ', '-', '+']);
    expect(lines[1]?.className).toContain('pub-diff-del');
    expect(lines[2]?.className).toContain('pub-diff-add');
    expect(lines[2]?.textContent).toBe('+when { resource.sensitivity == "critical" };');
  });

  it('replays a request set on both bundles for the decision diff', async () => {
    renderPage();
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>('diff-from').value).toBe('1.0.0'));
    fireEvent.click(screen.getByTestId('diff-submit'));
    await screen.findByTestId('diff-counts');
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>('diff-set').value).toBe('prod'));
    fireEvent.click(screen.getByTestId('diff-replay'));
    const run = await screen.findByTestId('diff-run');
    expect(backend.calls.runReplay).toEqual([{ set: 'prod', baseline: '@bundle:1.0.0', candidate: '@bundle:1.1.0', since: null, until: null }]);
    expect(screen.getByTestId('diff-metric-changed').textContent).toBe('1,972Changed');
    expect(screen.getByTestId('diff-metric-allow_to_deny').textContent).toBe('1,960Allow → deny');
    expect(screen.getByTestId('diff-metric-deny_to_allow').textContent).toBe('7Deny → allow');
    expect(within(run).getByTestId('diff-run-link').getAttribute('href')).toBe('#/simulate/run-1');
  });

  it('asks for a second published bundle first', async () => {
    backend.published = [bundleEntry()];
    renderPage();
    expect((await screen.findByTestId('diff-empty')).textContent).toContain('Only 1.0.0 is published.');
  });
});

describe('keys', () => {
  it('lists this machine’s keys and the workspace’s with their status, and approves a pending trust', async () => {
    window.history.replaceState(null, '', '#/publish/keys');
    renderPage();
    const trusted = await screen.findAllByTestId('trusted-key');
    expect(trusted.map((k) => [k.getAttribute('data-owner'), k.getAttribute('data-status')])).toEqual([
      ['dana@acme.example', 'first'],
      ['bob@acme.example', 'trusted'],
      ['eve@acme.example', 'pending'],
    ]);
    expect(trusted[0]?.textContent).toContain('first key');
    expect(trusted[1]?.textContent).toContain('dana@acme.example (1 of 1)');
    expect(trusted[2]?.textContent).toContain('pending approval');
    expect(trusted[2]?.textContent).toContain('nobody yet (0 of 2)');
    expect(screen.getAllByTestId('local-key').map((k) => k.getAttribute('data-status'))).toEqual(['first', 'trusted']);

    fireEvent.click(within(trusted[2]!).getByTestId('trust-approve'));
    const outcome = await screen.findByTestId('trust-outcome');
    expect(backend.calls.trustKey).toEqual([{ key: fakeKeyId(3), owner: null, remove: false, signer: DANA, comment: '' }]);
    expect(outcome.textContent).toContain('trusted: approved by 1 of 1 trusted key holder(s)');
    await waitFor(() => expect(backend.calls.keysView).toBe(2));
  });

  it('shows the trust problems the core located, each at its line', async () => {
    backend.keys = {
      ...backend.keys,
      problems: [
        {
          file: 'mandate.toml',
          line: 23,
          column: 1,
          end_line: 23,
          end_column: 13,
          severity: 'error',
          code: 'keys::first_flag',
          message: '`first = true` on key `ed25519:…` of `eve@acme.example`, but the trust log records another first key',
          help: 'remove this line',
          field: null,
        },
      ],
    };
    window.history.replaceState(null, '', '#/publish/keys');
    renderPage();
    const banner = await screen.findByTestId('keys-problems');
    expect(banner.getAttribute('role')).toBe('status');
    expect(banner.textContent).toContain('mandate.toml:23:1');
    expect(banner.textContent).toContain('eve@acme.example');
    expect(banner.textContent).toContain('remove this line');
  });

  it('shows no trust problems when there are none', async () => {
    window.history.replaceState(null, '', '#/publish/keys');
    renderPage();
    await screen.findAllByTestId('trusted-key');
    expect(screen.queryByTestId('keys-problems')).toBeNull();
  });

  it('trusts the workspace’s first key with itself', async () => {
    backend.keys = { ...backend.keys, keys: [] };
    window.history.replaceState(null, '', '#/publish/keys');
    renderPage();
    expect(await screen.findByTestId('keys-trusted-empty')).toBeTruthy();
    const [dana] = screen.getAllByTestId('local-key');
    const button = within(dana!).getByTestId('trust-local');
    expect(button.textContent).toBe('Trust as first key');
    fireEvent.click(button);
    await screen.findByTestId('trust-outcome');
    expect(backend.calls.trustKey[0]).toEqual({ key: DANA, owner: null, remove: false, signer: DANA, comment: '' });
    await waitFor(() => expect(screen.getAllByTestId('trusted-key')).toHaveLength(1));
  });
});
