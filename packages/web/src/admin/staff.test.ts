import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { EMPTY_INVITATION, invitationBody, invitationField, invitationProblems, type InvitationForm } from './staff.js';

const nurse: InvitationForm = {
  ...EMPTY_INVITATION,
  email: '  kwame.mensah@clinic.example ',
  displayName: ' Kwame   Mensah ',
  roles: ['practitioner'],
  organizationId: 'org-1',
  licence: ' RN-7781 ',
};

describe('the invitation form', () => {
  test('an empty form names every missing field', () => {
    assert.deepEqual(invitationProblems(EMPTY_INVITATION), {
      email: 'Type an email address such as name@clinic.example',
      displayName: 'Type the name colleagues know them by',
      roles: 'Choose at least one role',
      organizationId: 'Choose the organization they work for',
    });
  });

  test('clinicians and pharmacists need a licence number; other staff do not', () => {
    assert.deepEqual(invitationProblems({ ...nurse, licence: '  ' }), { licence: 'Clinicians and pharmacists need their licence number' });
    assert.deepEqual(invitationProblems({ ...nurse, roles: ['pharmacist', 'admin'], licence: '' }).licence, 'Clinicians and pharmacists need their licence number');
    assert.deepEqual(invitationProblems({ ...nurse, roles: ['public-health'], licence: '' }), {});
  });

  test('a malformed address or register is refused before sending', () => {
    assert.ok(invitationProblems({ ...nurse, email: 'kwame@clinic' }).email);
    assert.ok(invitationProblems({ ...nurse, licenceSystem: 'nursing board' }).licenceSystem);
    assert.deepEqual(invitationProblems({ ...nurse, licenceSystem: 'https://register.example/nurses' }), {});
  });

  test('the request carries trimmed values, and licence details only when a number is given', () => {
    assert.deepEqual(invitationBody({ ...nurse, degree: ' RN ', issuer: '' }), {
      email: 'kwame.mensah@clinic.example',
      displayName: 'Kwame Mensah',
      roles: ['practitioner'],
      organizationId: 'org-1',
      qualification: { licence: 'RN-7781', degree: 'RN' },
    });
    assert.equal('qualification' in invitationBody({ ...nurse, roles: ['admin'], licence: '', degree: 'MBA' }), false);
  });

  test("the server's field names lead to the form's fields", () => {
    assert.equal(invitationField('qualification.licence'), 'licence');
    assert.equal(invitationField('qualification.system'), 'licenceSystem');
    assert.equal(invitationField('roles[1]'), 'roles');
    assert.equal(invitationField('email'), 'email');
    assert.equal(invitationField('fhirUser'), undefined);
    assert.equal(invitationField(undefined), undefined);
  });
});
