import { createTheme } from '@mantine/core';

/**
 * One theme for the whole app. Teal reads as care without the alarm of red; the primary shade
 * (8 of 9) is dark enough for white button text to pass WCAG AA contrast.
 */
export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: { light: 8, dark: 6 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  defaultRadius: 'md',
  headings: { fontWeight: '650' },
});
