// Renderer entry: i18n first (zh-CN default), then React with the API query client.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import './i18n/index.ts';
import './styles.css';
import { queryClient } from './query.ts';
import { stampNonceOnInsertedStyles } from './csp.ts';
import { App } from './App.tsx';

stampNonceOnInsertedStyles();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
