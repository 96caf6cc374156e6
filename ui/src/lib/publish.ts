// What the Publish page computes from the core's answers: short ids, the version the core
// will choose, a gate's state, the gates a refused publish names, diff counts. Pure, so the
// rules are tested without rendering.
import type { ApiError } from '../bindings/ApiError';
import type { BundleEntry } from '../bindings/BundleEntry';
import type { BundleView } from '../bindings/BundleView';
import type { DiffLine } from '../bindings/DiffLine';
import type { Gate } from '../bindings/Gate';
import type { KeysView } from '../bindings/KeysView';
import type { KeyTrust } from '../bindings/KeyTrust';
import type { LocalKey } from '../bindings/LocalKey';

/** Hex digits kept by the short form of a key id or hash (as the CLI prints them). */
const SHORT_HEX = 12;

/** `ed25519:25560b8d719a…` / `sha256:bc57c6e721f9…`: the prefix and the first 12 hex digits. */
export function shortId(id: string): string {
  const at = id.indexOf(':');
  const hex = at < 0 ? id : id.slice(at + 1);
  if (hex.length <= SHORT_HEX) return id;
  return `${at < 0 ? '' : id.slice(0, at + 1)}${hex.slice(0, SHORT_HEX)}…`;
}

function parseVersion(v: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/**
 * The version a build without one gets: the next minor after the highest published, or
 * `1.0.0` for the first bundle (the core's rule, shown as the field's placeholder).
 */
export function nextVersion(published: readonly Pick<BundleEntry, 'version'>[]): string {
  let top: [number, number, number] | null = null;
  for (const b of published) {
    const v = parseVersion(b.version);
    if (v && (!top || v[0] > top[0] || (v[0] === top[0] && (v[1] > top[1] || (v[1] === top[1] && v[2] > top[2]))))) top = v;
  }
  return top ? `${top[0]}.${top[1] + 1}.0` : '1.0.0';
}

export type GateState = 'passed' | 'failed' | 'skipped';

/** A gate turned off in `[gates]` passes as skipped: it is shown as neither ✓ nor ✗. */
export function gateState(g: Pick<Gate, 'passed' | 'skipped'>): GateState {
  if (g.skipped) return 'skipped';
  return g.passed ? 'passed' : 'failed';
}

export const GATE_MARKS: Record<GateState, string> = { passed: '✓', failed: '✗', skipped: '–' };

/** "7 of 8 gates pass · 1 turned off": skipped gates count neither way. */
export function gateSummary(gates: readonly Pick<Gate, 'passed' | 'skipped'>[]): string {
  const checked = gates.filter((g) => !g.skipped);
  const passing = checked.filter((g) => g.passed).length;
  const skipped = gates.length - checked.length;
  return `${passing} of ${checked.length} gates pass${skipped > 0 ? ` · ${skipped} turned off` : ''}`;
}

/** The gates a `gate_failed` rejection names: one diagnostic per failed gate, code `gate::ID`. */
export function failedGates(error: ApiError): { id: string; message: string }[] {
  if (error.code !== 'gate_failed') return [];
  return error.diagnostics
    .filter((d) => d.code.startsWith('gate::'))
    .map((d) => ({ id: d.code.slice('gate::'.length), message: d.message }));
}

/** Lines added and removed in a policy's diff. */
export function diffCounts(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === '+') added++;
    else if (l.kind === '-') removed++;
  }
  return { added, removed };
}

/** How a key stands in the workspace, or `null` when it is neither listed nor proposed. */
export function trustOf(keys: Pick<KeysView, 'keys'>, id: string): KeyTrust | null {
  return keys.keys.find((k) => k.id === id)?.status ?? null;
}

/** Trusted keys sign and approve; a key pending removal still counts until it is removed. */
export function isTrusted(status: KeyTrust | null): boolean {
  return status === 'first' || status === 'trusted' || status === 'removal_pending';
}

export const TRUST_LABELS: Record<KeyTrust, string> = {
  first: 'first key',
  trusted: 'trusted',
  removal_pending: 'removal pending',
  pending: 'pending approval',
  unapproved: 'not approved',
};

/** A key for a select: its owner, short id, and whether this workspace trusts it. */
export function keyLabel(key: LocalKey, keys: Pick<KeysView, 'keys'>): string {
  const status = trustOf(keys, key.id);
  const note = isTrusted(status) ? '' : status ? ` (${TRUST_LABELS[status]})` : ' (not trusted here)';
  return `${key.owner} · ${shortId(key.id)}${note}`;
}

/** The local keys that can sign a trust approval: trusted here and not the key itself. */
export function trustSigners(keys: KeysView, subject: string): LocalKey[] {
  return keys.local.filter((k) => k.id !== subject && isTrusted(trustOf(keys, k.id)));
}

/** The key offered first: a trusted one that is not the author's, else any other than the author's. */
export function defaultApprover(bundle: BundleView, keys: KeysView | null): string {
  const others = (keys?.local ?? []).filter((k) => k.id !== bundle.manifest.author.key && k.owner !== bundle.manifest.author.name);
  return (others.find((k) => keys && isTrusted(trustOf(keys, k.id))) ?? others[0])?.id ?? '';
}

/** The author key offered first: the acting person's own, else a trusted one, else the first. */
export function defaultAuthor(keys: KeysView, acting: string): string {
  const local = keys.local;
  return (local.find((k) => k.owner === acting) ?? local.find((k) => isTrusted(trustOf(keys, k.id))) ?? local[0])?.id ?? '';
}
