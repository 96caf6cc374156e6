import { expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { bundleView, diagnostic, fakeKeyId, gateReport, keysView, localKey, trustedKey } from '../test/fakeBackend';
import {
  defaultApprover,
  defaultAuthor,
  diffCounts,
  failedGates,
  gateState,
  gateSummary,
  keyLabel,
  nextVersion,
  shortId,
  trustSigners,
} from './publish';

it('shortens key ids and hashes as the CLI does, leaving short ones alone', () => {
  expect(shortId('ed25519:25560b8d719a0b76d78b3ffa41f7020183a9efaa38a972691e406d58668e55f9')).toBe('ed25519:25560b8d719a…');
  expect(shortId('sha256:bc57c6e721f9c76986c2b8b461732c4784d99c98c3b273c9147a3703dcddf7ea')).toBe('sha256:bc57c6e721f9…');
  expect(shortId('sha256:abc')).toBe('sha256:abc');
});

it('offers the next minor version after the highest published one, 1.0.0 first', () => {
  expect(nextVersion([])).toBe('1.0.0');
  expect(nextVersion([{ version: '1.2.3' }, { version: '1.10.0' }, { version: '0.9.0' }])).toBe('1.11.0');
  expect(nextVersion([{ version: '2.0.0' }, { version: '1.4.0' }])).toBe('2.1.0');
});

it('counts skipped gates neither as passing nor failing', () => {
  const report = gateReport(bundleView());
  expect(report.gates.map(gateState).filter((s) => s === 'skipped')).toHaveLength(1);
  expect(gateState({ passed: false, skipped: false })).toBe('failed');
  expect(gateSummary(report.gates)).toBe('7 of 8 gates pass · 1 turned off');
  expect(gateSummary([{ passed: true, skipped: false }])).toBe('1 of 1 gates pass');
});

it('reads the failed gates out of a `gate_failed` rejection only', () => {
  const refused: ApiError = {
    code: 'gate_failed',
    message: '2 gate(s) failed',
    help: null,
    diagnostics: [
      diagnostic({ code: 'gate::approvals', message: 'Required approvals present and valid: 0 of 2 required approval(s)' }),
      diagnostic({ code: 'gate::review', message: 'Approved review of exactly these policies: no review approves these policies' }),
    ],
  };
  expect(failedGates(refused)).toEqual([
    { id: 'approvals', message: 'Required approvals present and valid: 0 of 2 required approval(s)' },
    { id: 'review', message: 'Approved review of exactly these policies: no review approves these policies' },
  ]);
  expect(failedGates({ ...refused, code: 'io' })).toEqual([]);
});

it('counts added and removed lines of a policy diff', () => {
  expect(
    diffCounts([
      { kind: ' ', text: 'a' },
      { kind: '-', text: 'b' },
      { kind: '+', text: 'c' },
      { kind: '+', text: 'd' },
    ]),
  ).toEqual({ added: 2, removed: 1 });
});

it('labels a key with its owner and short id, and says when the workspace does not trust it', () => {
  const keys = keysView();
  expect(keyLabel(keys.local[0]!, keys)).toBe(`dana@acme.example · ${shortId(fakeKeyId(1))}`);
  const stranger = localKey({ owner: 'zoe@acme.example', id: fakeKeyId(7) });
  expect(keyLabel(stranger, keys)).toBe(`zoe@acme.example · ${shortId(fakeKeyId(7))} (not trusted here)`);
  const pending = { ...keys, keys: [...keys.keys, trustedKey({ id: fakeKeyId(7), status: 'pending' })] };
  expect(keyLabel(stranger, pending)).toBe(`zoe@acme.example · ${shortId(fakeKeyId(7))} (pending approval)`);
});

it('offers the acting person’s key as author, and someone else’s trusted key as approver', () => {
  const keys = keysView();
  expect(defaultAuthor(keys, 'bob@acme.example')).toBe(fakeKeyId(2));
  expect(defaultAuthor(keys, 'nobody@acme.example')).toBe(fakeKeyId(1));
  expect(defaultAuthor({ ...keys, local: [] }, 'dana@acme.example')).toBe('');
  const danas = bundleView({ author: keys.local[0] });
  expect(defaultApprover(danas, keys)).toBe(fakeKeyId(2));
  expect(defaultApprover(danas, { ...keys, local: [keys.local[0]!] })).toBe('');
});

it('signs a trust change only with another key this workspace trusts', () => {
  const keys = keysView();
  expect(trustSigners(keys, fakeKeyId(3)).map((k) => k.owner)).toEqual(['dana@acme.example', 'bob@acme.example']);
  expect(trustSigners(keys, fakeKeyId(1)).map((k) => k.owner)).toEqual(['bob@acme.example']);
});
