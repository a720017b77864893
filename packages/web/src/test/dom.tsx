import { GlobalRegistrator } from '@happy-dom/global-registrator';

/**
 * Component tests render into happy-dom, a DOM in Node, so they run with the rest of the suite
 * under Node's test runner. Importing this module first installs the DOM globals.
 */
if (!('window' in globalThis)) GlobalRegistrator.register({ url: 'http://localhost:8080/', width: 1280, height: 900 });

// Mantine measures layout through these; happy-dom does not lay out, so any answer will do.
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver ??= NoopResizeObserver;
