import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { isSensitive } from './sensitive.js';

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const observation = (security?: { system?: string; code?: string }[], extra: Record<string, unknown> = {}): Resource =>
  ({ resourceType: 'Observation', status: 'final', code: { text: 'mood' }, ...(security ? { meta: { security } } : {}), ...extra }) as Resource;

describe('which resources are encrypted at rest', () => {
  test('messages, attachments, documents and clinical impressions always are', () => {
    for (const resourceType of ['Communication', 'CommunicationRequest', 'DocumentReference', 'Binary', 'Media', 'ClinicalImpression']) {
      assert.ok(isSensitive({ resourceType } as Resource), resourceType);
    }
  });

  test('other resources are not, unless labelled', () => {
    assert.ok(!isSensitive(observation()));
    assert.ok(!isSensitive({ resourceType: 'Patient' }));
    assert.ok(!isSensitive(observation([{ system: CONFIDENTIALITY, code: 'N' }, { system: CONFIDENTIALITY, code: 'M' }])));
    // Patient default sensitivity is the ordinary level.
    assert.ok(!isSensitive(observation([{ system: ACT_CODE, code: 'PDS' }])));
  });

  test('restricted and very restricted confidentiality are', () => {
    assert.ok(isSensitive(observation([{ system: CONFIDENTIALITY, code: 'R' }])));
    assert.ok(isSensitive(observation([{ system: CONFIDENTIALITY, code: 'V' }])));
  });

  test('sensitivity policy codes are', () => {
    for (const code of ['PSY', 'PSYTHPN', 'SUD', 'ETH', 'HIV', 'SEX', 'STD', 'GDIS', 'SDV', 'BH', 'PRS']) {
      assert.ok(isSensitive(observation([{ system: ACT_CODE, code }])), code);
    }
  });

  test('a code counts only in its own code system', () => {
    assert.ok(!isSensitive(observation([{ code: 'R' }])));
    assert.ok(!isSensitive(observation([{ system: 'http://example.org/labels', code: 'HIV' }])));
    assert.ok(!isSensitive(observation([{ system: ACT_CODE, code: 'AMB' }])));
    assert.ok(!isSensitive(observation([{ system: CONFIDENTIALITY }])));
  });

  test('a sensitive contained resource makes its container sensitive', () => {
    const container = observation(undefined, { contained: [{ resourceType: 'Communication', status: 'completed' }] });
    assert.ok(isSensitive(container));
    assert.ok(!isSensitive(observation(undefined, { contained: [{ resourceType: 'Practitioner' }] })));
  });
});
