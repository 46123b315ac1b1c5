import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusText } from '../../../../assets/js/pages/common.js';

test('connection indicator texts', () => {
  assert.equal(statusText('open'), 'Live');
  assert.equal(statusText('connecting'), 'Connecting…');
  assert.equal(statusText('reconnecting', { delay: 1200 }), 'Reconnecting in 2 s…');
  assert.equal(statusText('reconnecting', {}), 'Reconnecting…');
  assert.equal(statusText('closed', { reason: 'no such room' }), 'Disconnected: no such room');
  assert.equal(statusText('idle'), '');
});
