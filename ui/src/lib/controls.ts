// Pure logic of the control library dialog: whether a control's library policies can be
// added, and if not, why. It mirrors the core's refusals (`addControlPolicies`), so the
// button says why before the user tries; the core still decides.
import type { ControlStatus } from '../bindings/ControlStatus';
import type { PolicyFile } from '../bindings/PolicyFile';
import type { PolicyRef } from '../bindings/PolicyRef';

export type AddState = { can: true } | { can: false; reason: string };

/** Where the core writes a control's library policies. */
export function controlFile(control: string): string {
  return `policies/controls/${control.toLowerCase()}.cedar`;
}

/** `policies/lifecycle.cedar:3`. */
export function refText(ref: Pick<PolicyRef, 'file' | 'line'>): string {
  return `${ref.file}:${ref.line}`;
}

/**
 * Whether "Add" can work for `control` given the workspace's policy files: the library must
 * have a policy for it, none of those policy ids may be in the workspace yet, and the file
 * it would write must not exist.
 */
export function libraryAddState(control: ControlStatus, files: readonly PolicyFile[]): AddState {
  if (control.library_policies.length === 0) {
    return {
      can: false,
      reason:
        control.checks.length > 0
          ? `No library policy: watched by mandate check (${control.checks.join(', ')})`
          : 'No library policy for this control',
    };
  }
  const ids = new Set(control.library_policies);
  for (const f of files) {
    const p = f.policies.find((x) => ids.has(x.id));
    if (p) return { can: false, reason: `Already in ${refText({ file: f.path, line: p.line })}` };
  }
  const enforced = control.enforced_by.find((r) => ids.has(r.id));
  if (enforced) return { can: false, reason: `Already in ${refText(enforced)}` };
  const target = controlFile(control.id);
  if (files.some((f) => f.path === target)) return { can: false, reason: `${target} already exists` };
  return { can: true };
}
