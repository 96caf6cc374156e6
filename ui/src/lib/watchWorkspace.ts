import type { ApiError } from '../bindings/ApiError';
import type { Change } from '../bindings/Change';
import { toApiError, type IBackend } from '../backend';

/**
 * Subscribes to outside workspace changes for the life of an effect and returns the effect's
 * cleanup. The subscription itself is asynchronous, so a cleanup that runs first still
 * unsubscribes once it arrives. `onChanges` runs only while the effect is live; `live()` tells
 * its asynchronous follow-ups whether it still is (a result for an old file or workspace must
 * not land in the new one).
 */
export function watchWorkspace(
  backend: IBackend,
  onChanges: (changes: Change[], live: () => boolean) => void,
  onError?: (error: ApiError) => void,
): () => void {
  let active = true;
  let unsubscribe: (() => void) | null = null;
  const live = () => active;
  backend
    .onWorkspaceChanged((changes) => {
      if (active) onChanges(changes, live);
    })
    .then(
      (unsub) => {
        if (active) unsubscribe = unsub;
        else unsub();
      },
      (e: unknown) => {
        if (active) onError?.(toApiError(e));
      },
    );
  return () => {
    active = false;
    unsubscribe?.();
  };
}
