import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { clearDrafts } from '../lib/drafts';

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  // Unmounting a dirty editor keeps a draft; the next test starts without.
  clearDrafts();
  window.location.hash = '';
});

// jsdom has no layout; CodeMirror measures text ranges, so give them empty rectangles.
if (typeof Range !== 'undefined' && !('getClientRects' in Range.prototype)) {
  const empty = () => ({ x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0, toJSON: () => ({}) });
  Object.assign(Range.prototype, {
    getClientRects: () => Object.assign([], { item: () => null }),
    getBoundingClientRect: empty,
  });
}
