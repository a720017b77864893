import './dom.js';
import { MantineProvider } from '@mantine/core';
import { cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach } from 'node:test';
import { theme } from '../theme.js';

afterEach(() => cleanup());

/** Renders a component inside the providers the app gives it (theme, router at `path`). */
export function renderUi(ui: ReactElement, { path = '/' }: { path?: string } = {}): RenderResult {
  return render(
    <MantineProvider theme={theme} env="test">
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </MantineProvider>,
  );
}
