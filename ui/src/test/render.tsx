import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { BackendProvider, type IBackend } from '../backend';

export function renderWithBackend(backend: IBackend, ui: ReactElement) {
  return render(<BackendProvider backend={backend}>{ui}</BackendProvider>);
}
