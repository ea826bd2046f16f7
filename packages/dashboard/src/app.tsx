import type { ReactNode } from 'react';
import { BatchPage } from './pages/batch-page.js';
import { HistoryPage } from './pages/history-page.js';
import { RunsPage } from './pages/runs-page.js';
import { StreamPage } from './pages/stream-page.js';
import { hrefOf, useRoute } from './router.js';

/** The dashboard shell: top bar with navigation, then the page of the current route. */
export function App(): ReactNode {
  const route = useRoute();
  const section = route.page === 'history' ? 'history' : 'runs';
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/runs">
          <span className="brand-mark" aria-hidden="true" />
          Herald
        </a>
        <nav className="nav">
          <a href={hrefOf({ page: 'runs', prefix: 'run:' })} aria-current={section === 'runs' ? 'page' : undefined}>
            Runs
          </a>
          <a
            href={hrefOf({ page: 'history', params: new URLSearchParams() })}
            aria-current={section === 'history' ? 'page' : undefined}
          >
            History
          </a>
        </nav>
      </header>
      <main className="main">
        {route.page === 'runs' && <RunsPage prefix={route.prefix} />}
        {route.page === 'stream' && <StreamPage key={route.stream} stream={route.stream} />}
        {route.page === 'batch' && <BatchPage key={route.batchId} batchId={route.batchId} />}
        {route.page === 'history' && <HistoryPage key={route.params.toString()} params={route.params} />}
      </main>
    </div>
  );
}
