import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { devicesFrom, levelOf, mediaErrorMessage } from './media.js';

test('silence is 0, a loud signal fills the meter, speech-like levels are in between', () => {
  assert.equal(levelOf(new Uint8Array(512).fill(128)), 0);
  assert.equal(levelOf(new Uint8Array(0)), 0);
  const loud = Uint8Array.from({ length: 512 }, (_, i) => (i % 2 ? 255 : 0));
  assert.equal(levelOf(loud), 1);
  const quiet = Uint8Array.from({ length: 512 }, (_, i) => 128 + Math.round(16 * Math.sin(i / 5)));
  const level = levelOf(quiet);
  assert.ok(level > 0.2 && level < 0.6, `quiet speech reads ${level}`);
});

test('devices are named even before the browser reveals their labels', () => {
  const d = devicesFrom([
    { deviceId: 'c1', kind: 'videoinput', label: '' },
    { deviceId: 'c2', kind: 'videoinput', label: 'Front camera' },
    { deviceId: 'm1', kind: 'audioinput', label: 'Headset' },
    { deviceId: 'o1', kind: 'audiooutput', label: 'Speakers' },
    { deviceId: '', kind: 'audioinput', label: '' },
  ]);
  assert.deepEqual(d, { cameras: [{ id: 'c1', label: 'Camera 1' }, { id: 'c2', label: 'Front camera' }], microphones: [{ id: 'm1', label: 'Headset' }] });
});

test('what went wrong with the camera says what to do', () => {
  assert.match(mediaErrorMessage(Object.assign(new Error('x'), { name: 'NotAllowedError' })), /not allowed.*Allow them in your browser/);
  assert.match(mediaErrorMessage({ name: 'NotFoundError' }), /No camera or microphone was found/);
  assert.match(mediaErrorMessage(Object.assign(new Error('busy'), { name: 'NotReadableError' })), /in use by another app/);
  assert.match(mediaErrorMessage(new Error('odd')), /could not be opened: odd/);
});
