import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ControlStatus } from '../../bindings/ControlStatus';
import { deferred, FakeBackend, policyFile, report } from '../../test/fakeBackend';
import { renderWithBackend } from '../../test/render';
import { PoliciesPage } from '../PoliciesPage';

function control(over: Partial<ControlStatus> = {}): ControlStatus {
  return {
    id: 'MND-LIFECYCLE-01',
    title: 'Only approved, active agents act',
    statement: 'Suspended, retired and never-approved agents are denied every action.',
    rationale: 'Approval and suspension mean nothing unless enforced at request time.',
    checks: [],
    in_workspace: true,
    library_policies: ['deny-inactive-agents'],
    enforced_by: [],
    ...over,
  };
}

let backend: FakeBackend;
beforeEach(() => {
  backend = new FakeBackend();
  backend.report = report([policyFile('policies/tools.cedar', ['permit-allowed-tools'])]);
  backend.files['policies/tools.cedar'] = '@id("permit-allowed-tools")\npermit (principal, action, resource);\n';
  backend.controlsView = {
    controls: [
      control({ enforced_by: [{ id: 'legacy-exporter-writes-nothing', file: 'policies/data.cedar', line: 9 }] }),
      control({
        id: 'MND-AUTHZ-01',
        title: 'Per-action, request-time authorization',
        statement: 'Each tool call is authorized against the agent’s own grants.',
        library_policies: ['permit-allowed-tools'],
        enforced_by: [{ id: 'permit-allowed-tools', file: 'policies/tools.cedar', line: 1 }],
      }),
      control({
        id: 'MND-OWN-01',
        title: 'Accountable owner and escalation path',
        statement: 'Every agent has an accountable human.',
        library_policies: [],
        checks: ['accountable.missing'],
        in_workspace: false,
      }),
    ],
    diagnostics: [],
  };
});

async function openLibrary() {
  renderWithBackend(backend, <PoliciesPage />);
  await screen.findByTestId('validation-summary');
  fireEvent.click(screen.getByTestId('open-library'));
  const dialog = await screen.findByTestId('library-dialog');
  await within(dialog).findAllByTestId('library-control');
  return dialog;
}

function row(dialog: HTMLElement, id: string): HTMLElement {
  const el = within(dialog)
    .getAllByTestId('library-control')
    .find((r) => r.dataset.control === id);
  expect(el, `row ${id}`).toBeDefined();
  return el!;
}

describe('the control library dialog', () => {
  it('lists every control with what enforces it', async () => {
    const dialog = await openLibrary();
    expect(within(dialog).getAllByTestId('library-control').map((r) => r.dataset.control)).toEqual([
      'MND-LIFECYCLE-01',
      'MND-AUTHZ-01',
      'MND-OWN-01',
    ]);
    const lifecycle = row(dialog, 'MND-LIFECYCLE-01');
    expect(lifecycle.textContent).toContain('Only approved, active agents act');
    expect(lifecycle.textContent).toContain('Suspended, retired and never-approved agents are denied every action.');
    expect(lifecycle.textContent).toContain('in controls.toml');
    expect(within(lifecycle).getByTestId('library-enforced-by').textContent).toBe('legacy-exporter-writes-nothing policies/data.cedar:9');
    expect(row(dialog, 'MND-OWN-01').textContent).toContain('library only');
    expect(document.activeElement?.textContent).toBe('Add from the control library');
  });

  it('disables Add, with the reason, where the library has nothing to add', async () => {
    const dialog = await openLibrary();
    const authz = row(dialog, 'MND-AUTHZ-01');
    expect(within(authz).getByTestId<HTMLButtonElement>('library-add').disabled).toBe(true);
    expect(within(authz).getByTestId('library-add-reason').textContent).toBe('Already in policies/tools.cedar:1');
    const own = row(dialog, 'MND-OWN-01');
    expect(within(own).getByTestId<HTMLButtonElement>('library-add').disabled).toBe(true);
    expect(within(own).getByTestId('library-add-reason').textContent).toBe('No library policy: watched by mandate check (accountable.missing)');
    expect(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId<HTMLButtonElement>('library-add').disabled).toBe(false);
  });

  it('adds a control’s policies, says where, revalidates and opens the new file', async () => {
    const dialog = await openLibrary();
    const validations = backend.calls.validate;
    // What the core reports once the file is written.
    backend.report = report([
      policyFile('policies/controls/mnd-lifecycle-01.cedar', ['deny-inactive-agents']),
      policyFile('policies/tools.cedar', ['permit-allowed-tools']),
    ]);
    fireEvent.click(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId('library-add'));

    const added = await within(dialog).findByTestId('library-added');
    expect(backend.calls.addControl).toEqual(['MND-LIFECYCLE-01']);
    expect(added.textContent).toBe('Added deny-inactive-agents to policies/controls/mnd-lifecycle-01.cedar; it is open in the editor.');
    await waitFor(() => expect(backend.calls.validate).toBeGreaterThan(validations));
    expect((await screen.findByTestId('policy-editor')).dataset.path).toBe('policies/controls/mnd-lifecycle-01.cedar');
    expect(screen.getAllByTestId('policy-file').map((f) => f.dataset.path)).toContain('policies/controls/mnd-lifecycle-01.cedar');
    // The revalidated files now hold the policy: Add is no longer offered.
    await waitFor(() => expect(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId<HTMLButtonElement>('library-add').disabled).toBe(true));
  });

  it('shows the core’s refusal with its help', async () => {
    backend.addControlError = {
      code: 'invalid_argument',
      message: 'the workspace already has the policies of `MND-LIFECYCLE-01` (in policies/old.cedar)',
      help: 'the control is already enforced; edit that file instead',
      diagnostics: [],
    };
    const dialog = await openLibrary();
    fireEvent.click(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId('library-add'));
    const banner = await within(dialog).findByTestId('error-banner');
    expect(banner.dataset.code).toBe('invalid_argument');
    expect(banner.textContent).toContain('the workspace already has the policies of `MND-LIFECYCLE-01` (in policies/old.cedar)');
    expect(banner.textContent).toContain('the control is already enforced; edit that file instead');
    expect(within(dialog).queryByTestId('library-added')).toBeNull();
    expect(screen.queryByTestId('policy-editor')).toBeNull();
  });

  it('can be closed once the add is written, while the list is still being reread', async () => {
    const dialog = await openLibrary();
    const reread = deferred();
    backend.controlsHold = reread.promise;
    fireEvent.click(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId('library-add'));
    await within(dialog).findByTestId('library-added');
    const close = within(dialog).getByTestId<HTMLButtonElement>('library-close');
    await waitFor(() => expect(close.disabled).toBe(false));
    fireEvent.click(close);
    expect(screen.queryByTestId('library-dialog')).toBeNull();
    reread.resolve();
  });

  it('offers no Add on the stale list while it is reread after an add', async () => {
    const dialog = await openLibrary();
    const reread = deferred();
    backend.controlsHold = reread.promise;
    const add = () => within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId<HTMLButtonElement>('library-add');
    fireEvent.click(add());
    await within(dialog).findByTestId('library-added');
    // Written, the list not yet reread: the add cannot be started again.
    await waitFor(() => expect(within(dialog).getByTestId<HTMLButtonElement>('library-close').disabled).toBe(false));
    expect(add().disabled).toBe(true);
    fireEvent.click(add());
    expect(backend.calls.addControl).toEqual(['MND-LIFECYCLE-01']);
    // The reread shows the new file enforcing the control: still no Add, now with the reason.
    backend.controlsView = {
      ...backend.controlsView,
      controls: backend.controlsView.controls.map((c) =>
        c.id === 'MND-LIFECYCLE-01' ? { ...c, enforced_by: [{ id: 'deny-inactive-agents', file: 'policies/controls/mnd-lifecycle-01.cedar', line: 1 }] } : c,
      ),
    };
    reread.resolve();
    await waitFor(() =>
      expect(within(row(dialog, 'MND-LIFECYCLE-01')).getByTestId('library-add-reason').textContent).toBe('Already in policies/controls/mnd-lifecycle-01.cedar:1'),
    );
    expect(add().disabled).toBe(true);
    expect(within(dialog).getByTestId('library-added').textContent).toContain('deny-inactive-agents');
  });

  it('closes on Escape and gives focus back to its button', async () => {
    const dialog = await openLibrary();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByTestId('library-dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('open-library'));
  });
});
