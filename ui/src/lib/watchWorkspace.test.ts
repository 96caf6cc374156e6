import { describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import type { Change } from '../bindings/Change';
import type { IBackend } from '../backend';
import { watchWorkspace } from './watchWorkspace';

/** A backend whose subscription resolves when the test says so. */
function slowBackend() {
  let emit: ((c: Change[]) => void) | null = null;
  let resolve: ((unsub: () => void) => void) | null = null;
  const unsub = vi.fn();
  const backend = {
    onWorkspaceChanged: (cb: (c: Change[]) => void) => {
      emit = cb;
      return new Promise<() => void>((r) => {
        resolve = r;
      });
    },
  } as unknown as IBackend;
  return {
    backend,
    unsub,
    subscribed: async () => {
      resolve?.(unsub);
      await Promise.resolve();
    },
    emit: (c: Change[]) => emit?.(c),
  };
}

const change: Change = { kind: 'policy_changed', path: 'policies/a.cedar' };

describe('watchWorkspace', () => {
  it('delivers changes while live and reports liveness to follow-ups', async () => {
    const b = slowBackend();
    const seen: boolean[] = [];
    let lastLive: (() => boolean) | null = null;
    const stop = watchWorkspace(b.backend, (changes, live) => {
      seen.push(changes.length === 1);
      lastLive = live;
    });
    await b.subscribed();
    b.emit([change]);
    expect(seen).toEqual([true]);
    expect(lastLive!()).toBe(true);
    stop();
    expect(b.unsub).toHaveBeenCalledTimes(1);
    expect(lastLive!()).toBe(false);
    b.emit([change]);
    expect(seen).toEqual([true]);
  });

  it('unsubscribes a subscription that arrives after the cleanup ran', async () => {
    const b = slowBackend();
    const handler = vi.fn();
    const stop = watchWorkspace(b.backend, handler);
    stop();
    await b.subscribed();
    expect(b.unsub).toHaveBeenCalledTimes(1);
    b.emit([change]);
    expect(handler).not.toHaveBeenCalled();
  });

  it('reports a failed subscription as an ApiError, only while live', async () => {
    const backend = { onWorkspaceChanged: () => Promise.reject(new Error('no watcher')) } as unknown as IBackend;
    const onError = vi.fn<(e: ApiError) => void>();
    watchWorkspace(backend, () => undefined, onError);
    await new Promise((r) => setTimeout(r, 0));
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0].code).toBe('internal');
  });
});
