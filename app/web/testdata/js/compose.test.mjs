import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDraft, errorMessage, MAX_TEXT } from '../../../../assets/js/compose.js';

test('a valid draft is trimmed and normalized', () => {
  assert.deepEqual(validateDraft({ text: '  hi\nthere ', mode: 'top', color: '#FFAA02', size: 'large' }), {
    ok: true, draft: { text: 'hi there', mode: 'top', color: '#ffaa02', size: 'large' },
  });
  assert.equal(validateDraft({ text: 'x' }).draft.mode, 'scroll');
});

test('bad drafts are refused with a code', () => {
  assert.equal(validateDraft({ text: '   ' }).code, 'empty');
  assert.equal(validateDraft({ text: 'a'.repeat(MAX_TEXT + 1) }).code, 'too_long');
  assert.equal(validateDraft({ text: '😀'.repeat(MAX_TEXT) }).ok, true, 'length counts code points');
  assert.equal(validateDraft({ text: 'x', mode: 'sideways' }).code, 'bad_mode');
  assert.equal(validateDraft({ text: 'x', size: 'huge' }).code, 'bad_size');
  assert.equal(validateDraft({ text: 'x', color: 'red' }).code, 'bad_color');
});

test('errors read well', () => {
  assert.match(errorMessage({ code: 'offline' }), /Not connected/);
  assert.equal(errorMessage({ code: 'invalid', message: 'text is too long' }), 'text is too long');
  assert.equal(errorMessage(undefined), 'Could not send the comment.');
});

test('a held comment says it waits for a moderator; server times read in local time', () => {
  assert.equal(errorMessage({ code: 'held', message: 'possible spoiler' }), 'Waiting for a moderator: possible spoiler.');
  assert.equal(errorMessage({ code: 'held' }), 'Waiting for a moderator.');
  const until = '2026-12-01T08:30:00Z';
  const msg = errorMessage({ code: 'rejected', message: `you are banned until ${until}: spam` });
  assert.ok(!msg.includes(until) && msg.endsWith(': spam') && msg.startsWith('you are banned until '), msg);
});
