import { screen } from '@testing-library/react';
import { expect, it } from 'vitest';
import { FakeBackend } from '../test/fakeBackend';
import { renderWithBackend } from '../test/render';
import { AUDIT_LIMIT, AuditPage } from './AuditPage';

it('lists the newest audit entries with actor, action and subject', async () => {
  const backend = new FakeBackend();
  backend.audit = [
    { id: 2, at: '2026-03-04T10:20:00Z', actor: 'ana', action: 'workspace.open', subject: '/home/ana/acme', before: null, after: null },
    { id: 1, at: '2026-03-04T10:00:00Z', actor: 'ben', action: 'policy.edit', subject: 'policies/a.cedar', before: '{}', after: '{}' },
  ];
  renderWithBackend(backend, <AuditPage />);
  const rows = await screen.findAllByTestId('audit-row');
  expect(backend.calls.listAudit).toEqual([AUDIT_LIMIT]);
  expect(AUDIT_LIMIT).toBe(200);
  expect(rows).toHaveLength(2);
  expect(rows[0]?.textContent).toContain('ana');
  expect(rows[0]?.textContent).toContain('workspace.open');
  expect(rows[1]?.textContent).toContain('policies/a.cedar');
  expect(rows[0]?.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-04T10:20:00Z');
});

it('says so when the log is empty', async () => {
  renderWithBackend(new FakeBackend(), <AuditPage />);
  expect((await screen.findByTestId('audit-empty')).textContent).toMatch(/No audit entries yet/);
});
