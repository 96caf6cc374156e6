// The UI's entry to the backend: the interface, its React provider and hook, error helpers.
//
// The Tauri implementation is imported only by `main.tsx` (from `./tauri`), so tests and
// components never load it.
export { BackendProvider, useBackend } from './context';
export { isApiError, isErrorCode, toApiError, type AckTarget, type IBackend, type SaveTarget } from './types';
