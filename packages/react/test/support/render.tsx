import { act, type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// Tells React that updates are wrapped in act(), so it flushes them synchronously.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A mounted React tree for a test. */
export interface Rendered {
  container: HTMLElement;
  rerender(element: ReactNode): void;
  unmount(): void;
}

/** Mounts `element` under StrictMode (double-mounting effects, as in development) into a fresh div. */
export function render(element: ReactNode): Rendered {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(<StrictMode>{element}</StrictMode>));
  return {
    container,
    rerender: (next) => act(() => root.render(<StrictMode>{next}</StrictMode>)),
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}
