import { useEffect, useState } from 'react';

/** The current time, renewed every `everyMs`, for "5 min ago" and countdowns that keep up by themselves. */
export function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
