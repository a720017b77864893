import { useEffect, useState } from 'react';

/** Camera and microphone: opening them, the devices to choose from, and how loud the microphone is. */

export interface DeviceChoice {
  camera?: string | undefined;
  microphone?: string | undefined;
}

export interface Devices {
  cameras: { id: string; label: string }[];
  microphones: { id: string; label: string }[];
}

export async function openMedia(choice: DeviceChoice = {}): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser cannot use a camera here. Use a current browser, on a secure (https) address.');
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: choice.microphone ? { deviceId: { exact: choice.microphone }, echoCancellation: true, noiseSuppression: true } : { echoCancellation: true, noiseSuppression: true },
      video: choice.camera ? { deviceId: { exact: choice.camera }, width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (e) {
    throw new Error(mediaErrorMessage(e));
  }
}

/** What went wrong opening the camera or microphone, in words that say what to do. */
export function mediaErrorMessage(e: unknown): string {
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e) ? String((e as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Salus is not allowed to use your camera and microphone. Allow them in your browser (the camera icon in the address bar), then try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Connect one, or choose another, and try again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'Your camera or microphone is in use by another app. Close it there, then try again.';
    default:
      return `The camera and microphone could not be opened${e instanceof Error && e.message ? `: ${e.message}` : ''}.`;
  }
}

/** Cameras and microphones, with a name for each even before the browser reveals their labels. */
export function devicesFrom(list: readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[]): Devices {
  const of = (kind: MediaDeviceKind, word: string) =>
    list.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ id: d.deviceId, label: d.label || `${word} ${i + 1}` }));
  return { cameras: of('videoinput', 'Camera'), microphones: of('audioinput', 'Microphone') };
}

export async function listDevices(): Promise<Devices> {
  return devicesFrom(await navigator.mediaDevices.enumerateDevices());
}

/**
 * How loud a block of microphone samples is, from 0 (silence) to 1, as the analyser's unsigned
 * bytes centred on 128 give them. Root mean square, scaled so that speech fills most of the meter.
 */
export function levelOf(samples: Uint8Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = (s - 128) / 128;
    sum += v * v;
  }
  return Math.min(1, Math.sqrt(sum / samples.length) * 4);
}

/** The microphone's level, sampled about ten times a second while the stream is live. */
export function useMicLevel(stream: MediaStream | undefined): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!stream || stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    // Browsers start an AudioContext suspended until the person has interacted with the page;
    // the meter then wakes at the first click or key instead of staying flat.
    const wake = (): void => void context.resume().catch(() => undefined);
    wake();
    window.addEventListener('pointerdown', wake);
    window.addEventListener('keydown', wake);
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      // Rises at once, falls gently: a meter that flickers with every syllable is hard to read.
      const now = levelOf(samples);
      setLevel((before) => Math.max(now, before * 0.75));
    }, 100);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pointerdown', wake);
      window.removeEventListener('keydown', wake);
      source.disconnect();
      void context.close();
    };
  }, [stream]);
  return level;
}

export function stopMedia(stream: MediaStream | undefined): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}
