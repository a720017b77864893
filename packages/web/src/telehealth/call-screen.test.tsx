import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen } from '@testing-library/react';
import { CallScreen, connectionStatus } from './call-screen.js';
import type { VisitCall, VisitCallState } from './use-visit-call.js';

const base: VisitCallState = { socket: 'open', admitted: true, remotePresent: true, call: 'connected', chat: [], ended: false };
const text = (s: Partial<VisitCallState>) => connectionStatus({ ...base, ...s }, 'Dr. Sofía Castillo').text;

describe('the call screen', () => {
  test('says what the connection is doing, the most pressing first', () => {
    assert.equal(text({}), 'Connected');
    assert.equal(text({ call: 'connecting' }), 'Connecting the call…');
    assert.equal(text({ remotePresent: false }), 'Waiting for Dr. Sofía Castillo to join…');
    assert.equal(text({ call: 'reconnecting' }), 'Connection interrupted. Reconnecting…');
    assert.equal(text({ socket: 'reconnecting', call: 'reconnecting' }), 'Connection to Salus lost. Reconnecting…');
    assert.equal(text({ hungUp: 'them' }), 'Dr. Sofía Castillo ended the call');
    assert.equal(text({ hungUp: 'me' }), 'You left the call');
    assert.equal(text({ closed: 'replaced', socket: 'closed' }), 'This visit is open in another window');
    assert.equal(text({ ended: true, hungUp: 'them' }), 'The visit has ended');
  });

  test('mute and camera switch the tracks off and on; hang up and chat reach the call', () => {
    const tracks = [{ kind: 'audio', enabled: true }, { kind: 'video', enabled: true }];
    // happy-dom's MediaStream, with the two tracks a camera and microphone give.
    const local = Object.assign(new MediaStream(), { getTracks: () => tracks });
    const sent: string[] = [];
    let hungUp = false;
    const call: VisitCall = {
      ...base,
      chat: [{ id: 'c1', from: 'practitioner', text: 'Good morning, Malik.', sent: '2026-03-02T10:00:00Z' }],
      sendChat: (t) => sent.push(t),
      hangUp: () => undefined,
      rejoin: () => undefined,
    };
    renderUi(<CallScreen call={call} local={local} me="patient" names={{ patient: 'Malik Johnson', practitioner: 'Dr. Sofía Castillo' }} onHangUp={() => (hungUp = true)} />);
    assert.equal(screen.getByRole('status').textContent, 'Connected');
    assert.ok(screen.getByRole('log').textContent?.includes('Dr. Sofía Castillo · '));
    assert.ok(screen.getByText('Good morning, Malik.'));

    fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    assert.equal(tracks[0]!.enabled, false);
    assert.equal(screen.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'), 'true');
    fireEvent.click(screen.getByRole('button', { name: 'Stop camera' }));
    assert.equal(tracks[1]!.enabled, false);
    fireEvent.click(screen.getByRole('button', { name: 'Unmute' }));
    assert.equal(tracks[0]!.enabled, true);

    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Morning!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    assert.deepEqual(sent, ['Morning!']);
    fireEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    assert.ok(hungUp);
  });
});
