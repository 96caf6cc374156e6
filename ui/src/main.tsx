import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BackendProvider } from './backend';
import { TauriBackend } from './backend/tauri';
// React Flow's stylesheet goes into the built CSS file with ours (after it, so ours wins);
// the CSP allows no <style> injected at runtime.
import '@xyflow/react/dist/style.css';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <BackendProvider backend={new TauriBackend()}>
      <App />
    </BackendProvider>
  </StrictMode>,
);
