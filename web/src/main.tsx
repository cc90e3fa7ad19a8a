// Entry point: one connection to the server for the page's lifetime.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { renewToken } from './api.js';
import { App } from './components/App.js';
import { Connection, viewSocketUrl } from './connection.js';
import { ConnectionContext } from './hooks.js';
import './styles.css';

const connection = new Connection({
  url: viewSocketUrl(window.location),
  beforeReconnect: renewToken,
});
connection.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConnectionContext.Provider value={connection}>
      <App />
    </ConnectionContext.Provider>
  </StrictMode>,
);
