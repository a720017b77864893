import { useEffect, useRef, type CSSProperties } from 'react';

/**
 * A live stream in a <video>. The own camera is shown mirrored, as people expect to see
 * themselves, and always muted (hearing oneself would echo).
 */
export function VideoView({ stream, self = false, label, style }: { stream: MediaStream | undefined; self?: boolean; label: string; style?: CSSProperties }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== (stream ?? null)) video.srcObject = stream ?? null;
  }, [stream]);
  return (
    <video
      ref={ref}
      autoPlay
      playsInline
      muted={self}
      aria-label={label}
      style={{ display: 'block', width: '100%', height: '100%', objectFit: 'cover', background: '#1a1b1e', ...(self ? { transform: 'scaleX(-1)' } : {}), ...style }}
    />
  );
}
