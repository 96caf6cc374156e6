import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BackendProvider } from './backend';
import { TauriBackend } from './backend/tauri';
import { applyTheme, themeChoice } from './lib/theme';
// React Flow's stylesheet goes into the built CSS file with ours (after it, so ours wins);
// the CSP allows no <style> injected at runtime.
import '@xyflow/react/dist/style.css';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const backend = new TauriBackend();

// public/assets/theme-boot.js painted the cached choice; follow the OS from now on if it is
// `system`, and apply what settings.json holds (the truth) as soon as the core answers.
applyTheme(themeChoice());
backend.appSettings().then(
  (settings) => {
    if (settings.theme !== themeChoice()) applyTheme(settings.theme);
  },
  // Settings never stop the app; the Settings page shows why they could not be read.
  () => undefined,
);

createRoot(root).render(
  <StrictMode>
    <BackendProvider backend={backend}>
      <App />
    </BackendProvider>
  </StrictMode>,
);
