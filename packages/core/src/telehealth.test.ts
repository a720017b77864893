import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCallOutcome, isPeerId, parseClientSignal } from './telehealth.js';

test('signals keep only their own fields: nothing else reaches the other side', () => {
  assert.deepEqual(parseClientSignal(JSON.stringify({ type: 'description', description: { type: 'offer', sdp: 'v=0', extra: 1 }, to: 'everyone' })), {
    type: 'description',
    description: { type: 'offer', sdp: 'v=0' },
  });
  assert.deepEqual(parseClientSignal(JSON.stringify({ type: 'candidate', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null, x: 2 } })), {
    type: 'candidate',
    candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
  });
  assert.deepEqual(parseClientSignal('{"type":"chat","text":"  hello \\n"}'), { type: 'chat', text: 'hello' });
  assert.deepEqual(parseClientSignal('{"type":"hang-up","why":"bye"}'), { type: 'hang-up' });
});

test('anything else is refused with what is wrong', () => {
  assert.throws(() => parseClientSignal('not json'), /JSON object/);
  assert.throws(() => parseClientSignal('[1]'), /JSON object/);
  assert.throws(() => parseClientSignal('{"type":"welcome"}'), /Unknown signal type 'welcome'/);
  assert.throws(() => parseClientSignal('{"type":"description","description":{"type":"pranswer","sdp":""}}'), /description must be/);
  assert.throws(() => parseClientSignal('{"type":"candidate","candidate":{"candidate":"c","sdpMLineIndex":-1}}'), /candidate must be/);
  assert.throws(() => parseClientSignal('{"type":"chat","text":"   "}'), /cannot be empty/);
  assert.throws(() => parseClientSignal(JSON.stringify({ type: 'chat', text: 'x'.repeat(2001) })), /at most 2000/);
});

test('call outcomes and peer ids', () => {
  assert.ok(isCallOutcome('no-answer'));
  assert.ok(!isCallOutcome('toString'));
  assert.ok(isPeerId('AbC-12_xyz'));
  assert.ok(!isPeerId('short'));
  assert.ok(!isPeerId('has space in it'));
});
