import { createClient } from '@herald/client';
import { HeraldProvider } from '@herald/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import './styles.css';

// The dashboard is served by the Herald server it shows, so it talks to its own origin.
const client = createClient({ url: window.location.origin });

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <HeraldProvider client={client}>
      <App />
    </HeraldProvider>
  </StrictMode>,
);
