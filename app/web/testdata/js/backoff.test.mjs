import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, createBackoff } from '../../../../assets/js/backoff.js';

test('delay doubles per attempt and is capped', () => {
  const noJitter = { base: 500, factor: 2, max: 8000, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, noJitter)), [500, 1000, 2000, 4000, 8000, 8000, 8000]);
});

test('jitter randomizes a fraction of the delay within bounds', () => {
  const o = { base: 1000, factor: 2, max: 30000, jitter: 0.5 };
  assert.equal(backoffDelay(1, o, () => 0), 1000);
  assert.equal(backoffDelay(1, o, () => 0.999999), 2000);
  assert.equal(backoffDelay(1, o, () => 0.5), 1500);
  assert.equal(backoffDelay(20, o, () => 1), 30000, 'cap holds with jitter');
});

test('stateful backoff counts attempts and resets', () => {
  const b = createBackoff({ base: 100, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [100, 200, 400]);
  b.reset();
  assert.equal(b.next(), 100);
});
