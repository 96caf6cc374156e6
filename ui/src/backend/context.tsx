// React plumbing for the backend: components call `useBackend()` instead of importing Tauri.
import { createContext, useContext, type ReactNode } from 'react';
import type { IBackend } from './types';

const BackendContext = createContext<IBackend | null>(null);

export function BackendProvider({ backend, children }: { backend: IBackend; children: ReactNode }) {
  return <BackendContext.Provider value={backend}>{children}</BackendContext.Provider>;
}

export function useBackend(): IBackend {
  const backend = useContext(BackendContext);
  if (backend === null) {
    throw new Error('useBackend() called outside <BackendProvider>');
  }
  return backend;
}
