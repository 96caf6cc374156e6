import { describe, expect, it } from 'vitest';
import type { ControlStatus } from '../bindings/ControlStatus';
import { policyFile } from '../test/fakeBackend';
import { controlFile, libraryAddState } from './controls';

function control(over: Partial<ControlStatus> = {}): ControlStatus {
  return {
    id: 'MND-LIFECYCLE-01',
    title: 'Only approved, active agents act',
    statement: 'Suspended, retired and never-approved agents are denied every action.',
    rationale: '',
    checks: [],
    in_workspace: true,
    library_policies: ['deny-inactive-agents'],
    enforced_by: [],
    ...over,
  };
}

describe('libraryAddState', () => {
  it('allows a control whose library policies the workspace lacks', () => {
    expect(libraryAddState(control(), [policyFile('policies/tools.cedar', ['permit-allowed-tools'])])).toEqual({ can: true });
  });

  it('allows it when only other policies name the control', () => {
    const c = control({ enforced_by: [{ id: 'legacy-exporter-writes-nothing', file: 'policies/data.cedar', line: 9 }] });
    expect(libraryAddState(c, []).can).toBe(true);
  });

  it('says where a library policy already is', () => {
    const files = [policyFile('policies/lifecycle.cedar', ['deny-inactive-agents'])];
    expect(libraryAddState(control(), files)).toEqual({
      can: false,
      reason: 'Already in policies/lifecycle.cedar:1',
    });
    const c = control({ enforced_by: [{ id: 'deny-inactive-agents', file: 'policies/x.cedar', line: 4 }] });
    expect(libraryAddState(c, [])).toEqual({ can: false, reason: 'Already in policies/x.cedar:4' });
  });

  it('refuses when the file it would write exists, or the library has nothing', () => {
    expect(libraryAddState(control(), [policyFile(controlFile('MND-LIFECYCLE-01'), [])])).toEqual({
      can: false,
      reason: 'policies/controls/mnd-lifecycle-01.cedar already exists',
    });
    expect(libraryAddState(control({ library_policies: [], checks: ['owner.missing'] }), [])).toEqual({
      can: false,
      reason: 'No library policy: watched by mandate check (owner.missing)',
    });
  });
});
