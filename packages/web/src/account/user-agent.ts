/**
 * A browser's User-Agent header in words ("Firefox on Windows"), so people recognise their own
 * devices in a list of sessions. Order matters: Edge and Opera also say "Chrome", Chrome also says
 * "Safari", and iPhones say "like Mac OS X".
 */

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Macintosh|Mac OS X/, 'macOS'],
  [/Linux/, 'Linux'],
];

const first = (ua: string, table: [RegExp, string][]): string | undefined => table.find(([re]) => re.test(ua))?.[1];

export function describeUserAgent(ua: string | undefined): string {
  if (!ua?.trim()) return 'Unknown device';
  const browser = first(ua, BROWSERS);
  const system = first(ua, SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system)!;
  // A program rather than a browser (a script, an app): its own name is the best description.
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}
