import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, expect, it } from 'vitest';
import { FakeBackend } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { AuditPage } from './AuditPage';
import { auditEntry, EMPTY_QUERY } from './audit/fakeAudit';

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.audit = [
    auditEntry({ id: 1, at: '2026-03-01T09:00:00.000Z', actor: 'ben@acme.example', action: 'workspace.init', subject: 'workspace', before: null, after: '{"name":"Acme"}' }),
    auditEntry({ id: 2, at: '2026-03-02T09:00:00.000Z', actor: 'dana@acme.example', action: 'agent.save', subject: 'agent:billing-bot', before: null, after: '{"sha256":"aa"}' }),
    auditEntry({ id: 3, at: '2026-03-03T09:00:00.000Z', actor: 'dana@acme.example', action: 'agent.lifecycle', subject: 'agent:billing-bot' }),
    auditEntry({ id: 4, at: '2026-03-04T09:00:00.000Z', actor: 'ben@acme.example', action: 'policy.save', subject: 'policy:policies/billing.cedar', before: '{"sha256":"01"}', after: '{"sha256":"02"}' }),
    auditEntry({ id: 5, at: '2026-03-05T09:00:00.000Z', actor: 'ana@acme.example', action: 'requests.import', subject: 'requests:traffic', before: null, after: null }),
  ];
});

const rows = () => screen.getAllByTestId('audit-row');
const ids = () => rows().map((r) => Number(r.getAttribute('data-id')));

it('lists the newest entries with who, what, when and the fields they changed', async () => {
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(ids()).toEqual([5, 4, 3, 2, 1]));
  expect(backend.calls.listAudit[0]).toEqual({ ...EMPTY_QUERY, limit: 200 });
  expect(screen.getByTestId('audit-count').textContent).toBe('5 entries');
  const lifecycle = rows()[2]!;
  expect(lifecycle.textContent).toContain('dana@acme.example');
  expect(lifecycle.textContent).toContain('agent.lifecycle');
  expect(lifecycle.textContent).toContain('agent:billing-bot');
  expect(within(lifecycle).getByTestId('audit-summary').textContent).toBe('lifecycle, reason');
  expect(within(rows()[0]!).getByTestId('audit-summary').textContent).toBe('—');
  expect(lifecycle.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-03T09:00:00.000Z');
});

it('filters by actor and action family at once, and by subject text once typing settles', async () => {
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(rows()).toHaveLength(5));
  // The choices come from the log itself.
  await waitFor(() => expect(screen.getByRole('option', { name: 'All agent actions' })).toBeTruthy());
  expect(screen.getByRole('option', { name: 'ana@acme.example' })).toBeTruthy();

  fireEvent.change(screen.getByTestId('audit-filter-actor'), { target: { value: 'dana@acme.example' } });
  await waitFor(() => expect(ids()).toEqual([3, 2]));
  expect(backend.calls.listAudit.at(-1)).toEqual({ ...EMPTY_QUERY, actor: 'dana@acme.example', limit: 200 });

  fireEvent.change(screen.getByTestId('audit-filter-actor'), { target: { value: '' } });
  fireEvent.change(screen.getByTestId('audit-filter-action'), { target: { value: 'agent.*' } });
  await waitFor(() => expect(ids()).toEqual([3, 2]));
  expect(backend.calls.listAudit.at(-1)?.action).toBe('agent.*');
  expect(screen.getByTestId('audit-count').textContent).toBe('Matching: 2 entries');

  fireEvent.change(screen.getByTestId('audit-filter-action'), { target: { value: '' } });
  fireEvent.change(screen.getByTestId('audit-filter-subject'), { target: { value: 'BILLING' } });
  await waitFor(() => expect(ids()).toEqual([4, 3, 2]));
  expect(backend.calls.listAudit.at(-1)?.subject).toBe('BILLING');

  fireEvent.change(screen.getByTestId('audit-filter-since'), { target: { value: '2026-03-03T00:00:00Z' } });
  fireEvent.change(screen.getByTestId('audit-filter-until'), { target: { value: '2026-03-04T00:00:00Z' } });
  await waitFor(() => expect(ids()).toEqual([3]));
  expect(backend.calls.listAudit.at(-1)).toMatchObject({ subject: 'BILLING', since: '2026-03-03T00:00:00Z', until: '2026-03-04T00:00:00Z' });

  fireEvent.click(screen.getByTestId('audit-clear'));
  await waitFor(() => expect(rows()).toHaveLength(5));
});

it("shows the core's message and help for a bad time, and says when nothing matches", async () => {
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(rows()).toHaveLength(5));
  fireEvent.change(screen.getByTestId('audit-filter-since'), { target: { value: 'yesterday' } });
  const banner = await screen.findByTestId('error-banner');
  expect(banner.getAttribute('data-code')).toBe('invalid_argument');
  expect(banner.textContent).toContain('since `yesterday` is not a time');
  expect(banner.textContent).toContain('a date (`2026-05-01`, midnight UTC)');

  fireEvent.change(screen.getByTestId('audit-filter-since'), { target: { value: '' } });
  fireEvent.change(screen.getByTestId('audit-filter-subject'), { target: { value: 'no-such-subject' } });
  expect((await screen.findByTestId('audit-no-match')).textContent).toContain('No entries match these filters.');
  expect(screen.queryByTestId('error-banner')).toBeNull();
  expect(screen.queryByTestId('audit-table')).toBeNull();
  fireEvent.click(within(screen.getByTestId('audit-no-match')).getByRole('button', { name: 'Clear filters' }));
  await waitFor(() => expect(rows()).toHaveLength(5));
});

it('opens an entry to its changed fields and its state before and after', async () => {
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(rows()).toHaveLength(5));
  const toggle = within(rows()[2]!).getByTestId('audit-toggle');
  expect(toggle.getAttribute('aria-expanded')).toBe('false');
  expect(toggle.getAttribute('aria-label')).toBe('Show before and after of entry 3');
  fireEvent.click(toggle);
  expect(toggle.getAttribute('aria-expanded')).toBe('true');
  const detail = screen.getByTestId('audit-detail');
  expect(toggle.getAttribute('aria-controls')).toBe(detail.id);
  const changes = within(detail).getAllByTestId('audit-change');
  expect(changes.map((c) => [c.getAttribute('data-kind'), c.textContent])).toEqual([
    ['changed', 'lifecycle"approved""active"'],
    ['added', 'reason(none)"go live"'],
  ]);
  expect(within(detail).getByTestId('audit-before').textContent).toBe('{\n  "lifecycle": "approved"\n}');
  expect(within(detail).getByTestId('audit-after').textContent).toBe('{\n  "lifecycle": "active",\n  "reason": "go live"\n}');
  fireEvent.click(toggle);
  expect(screen.queryByTestId('audit-detail')).toBeNull();
});

it('loads the next page from the cursor', async () => {
  backend.audit = Array.from({ length: 250 }, (_, i) => auditEntry({ id: i + 1, subject: `agent:a${i + 1}` }));
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(rows()).toHaveLength(200));
  expect(screen.getByTestId('audit-count').textContent).toBe('250 entries — showing the newest 200');
  const more = screen.getByTestId('audit-more');
  expect(more.textContent).toBe('Load 50 more');
  fireEvent.click(more);
  await waitFor(() => expect(rows()).toHaveLength(250));
  expect(backend.calls.listAudit.at(-1)?.before).toBe(51);
  expect(ids().at(-1)).toBe(1);
  expect(new Set(ids()).size).toBe(250);
  expect(screen.queryByTestId('audit-more')).toBeNull();
});

it('exports the current filter to the file chosen in the save dialog', async () => {
  renderWithBackend(backend, <AuditPage />);
  await waitFor(() => expect(rows()).toHaveLength(5));
  fireEvent.change(screen.getByTestId('audit-filter-actor'), { target: { value: 'dana@acme.example' } });
  await waitFor(() => expect(rows()).toHaveLength(2));

  // Cancelling the dialog writes nothing.
  backend.savePath = null;
  fireEvent.click(screen.getByTestId('audit-export'));
  await waitFor(() => expect(backend.calls.pickSavePath).toHaveLength(1));
  expect(backend.calls.exportAudit).toHaveLength(0);
  expect(backend.calls.pickSavePath[0]?.filters).toEqual([{ name: 'CSV', extensions: ['csv'] }]);
  expect(backend.calls.pickSavePath[0]?.defaultName).toMatch(/^audit-dana-\d{4}-\d{2}-\d{2}\.csv$/);

  backend.savePath = '/home/dana/audit.csv';
  fireEvent.click(screen.getByTestId('audit-export'));
  const done = await screen.findByTestId('audit-exported');
  expect(backend.calls.exportAudit).toEqual([{ query: { ...EMPTY_QUERY, actor: 'dana@acme.example', limit: 200 }, out: '/home/dana/audit.csv' }]);
  expect(done.textContent).toBe('2 entries written to /home/dana/audit.csv');

  backend.auditExportError = { code: 'io', message: 'cannot write `/home/dana/audit.csv`: permission denied', help: 'choose a folder you can write', diagnostics: [] };
  fireEvent.click(screen.getByTestId('audit-export'));
  const banner = await screen.findByTestId('error-banner');
  expect(banner.textContent).toContain('permission denied');
  expect(banner.textContent).toContain('choose a folder you can write');
});

it('says what gets recorded when the log is empty', async () => {
  backend.audit = [];
  renderWithBackend(backend, <AuditPage />);
  const empty = await screen.findByTestId('audit-empty');
  expect(empty.textContent).toMatch(/No audit entries yet/);
  expect(empty.querySelector('a[href="#/agents"]')).toBeTruthy();
  expect(screen.getByTestId<HTMLButtonElement>('audit-export').disabled).toBe(true);
});
