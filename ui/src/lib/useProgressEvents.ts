// Subscribes to a backend progress event for a component's life, so no event is missed
// between starting an operation and a late subscription. `onEvent` may change between
// renders; the latest one is called.
import { useEffect, useRef } from 'react';

export function useProgressEvents<T>(
  subscribe: (cb: (value: T) => void) => Promise<() => void>,
  onEvent: (value: T) => void,
): void {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => {
    let active = true;
    let unsubscribe: (() => void) | null = null;
    subscribe((value) => {
      if (active) handler.current(value);
    }).then(
      (unsub) => {
        if (active) unsubscribe = unsub;
        else unsub();
      },
      // Without progress events the operation still completes; its bar stays indeterminate.
      () => undefined,
    );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [subscribe]);
}
