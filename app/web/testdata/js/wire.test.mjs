import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeRows, encodeRows, frameItems, defaultGuestName } from '../../../../assets/js/wire.js';

// The same comments as the server writes them in a v1 and in a v2 frame
// (app/protocol's TestWireGolden keeps the file in step with the encoders).
const golden = JSON.parse(readFileSync(new URL('./wire-golden.json', import.meta.url), 'utf8'));
const v1 = JSON.parse(golden.v1);
const v2 = JSON.parse(golden.v2);

test('a v2 frame decodes to the objects the v1 frame carries', () => {
  assert.equal(v2.rows.length, v1.items.length);
  assert.equal(v1.items.length >= 10, true, 'the fixture covers every rule');
  assert.deepEqual(decodeRows(v2.room, v2.rows), v1.items);
  assert.deepEqual(frameItems(v2), v1.items);
  assert.deepEqual(frameItems(v1), v1.items);
});

test('encodeRows writes what the server writes', () => {
  assert.deepEqual(encodeRows(v1.items), v2.rows);
});

test('a v2 row is much smaller than a v1 item', () => {
  const perV1 = golden.v1.length / v1.items.length;
  const perV2 = golden.v2.length / v2.rows.length;
  assert.ok(perV2 < perV1 / 2, `v2 ${perV2} bytes per item, v1 ${perV1}`);
});

test('defaults: guest names, rows too short to be comments', () => {
  assert.equal(defaultGuestName('g-4f2a9c01'), 'guest-4f2a');
  assert.equal(defaultGuestName('alice'), '');
  assert.equal(defaultGuestName('g-12'), '');
  assert.deepEqual(decodeRows('r', [[1, 1, 0, 0, 'x'], 'junk']), []);
  assert.deepEqual(frameItems({ type: 'comments' }), []);
});
