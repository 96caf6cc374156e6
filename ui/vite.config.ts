// Vite + Vitest configuration for the Mandate web UI.
//
// The bundle is loaded by Tauri from `ui/dist` under a strict CSP (`default-src 'self'`,
// no inline script), so nothing may be inlined: assets stay files and the modulepreload
// polyfill (which Vite would otherwise add) is left out — WebKitGTK supports modulepreload.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // Relative URLs so the bundle works from Tauri's custom protocol as well as from disk.
  base: './',
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
