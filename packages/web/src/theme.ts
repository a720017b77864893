import { createTheme, Notification, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/**
 * One theme for the whole app, checked against WCAG 2.1 AA contrast by the browser tests
 * (axe-core). Mantine's stock shades are too light for small text on white: its teal buttons and
 * its dimmed grey fall below 4.5:1. The Salus colour is the logo's deep teal-blue, with the
 * shades that carry text (6 and above) dark enough for white text on them and for them as text on
 * white.
 */
const salus: MantineColorsTuple = [
  '#e4f4f7',
  '#c6e6ec',
  '#9dd3de',
  '#6fbccc',
  '#43a3b7',
  '#1f8ca2',
  '#0b7285',
  '#0a6676',
  '#085766',
  '#064652',
];

export const theme = createTheme({
  colors: { salus },
  primaryColor: 'salus',
  primaryShade: { light: 6, dark: 5 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  defaultRadius: 'md',
  headings: { fontWeight: '650' },
  components: {
    // Mantine's close button on a notification has no name for screen readers.
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } } }),
  },
});

/** Text on light tints (badges, alerts, the current navigation item) for colours whose darkest shade is still too light. */
const DARK_TEXT: Record<string, string> = { yellow: '#7a4f00', orange: '#a13c08', lime: '#3f6212', green: '#1f6b2c' };

/**
 * Secondary text one grey darker than Mantine's (gray.7, 7.6:1 on white instead of 3.3:1), and
 * text on light tints and fills behind white text in each colour's darkest shade instead of its
 * middle one.
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7]!,
    ...Object.fromEntries(
      Object.entries(t.colors).flatMap(([name, shades]) => {
        const dark = DARK_TEXT[name] ?? shades[9]!;
        // White text on filled buttons and badges: Mantine fills with shade 6, too light for most colours.
        const filled = name === 'salus' ? shades[6]! : dark;
        return [
          [`--mantine-color-${name}-light-color`, dark],
          [`--mantine-color-${name}-filled`, filled],
          [`--mantine-color-${name}-filled-hover`, name === 'salus' ? shades[8]! : dark],
        ];
      }),
    ),
  },
  dark: {},
});
