import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isColor, safeColor, displayText, normalizeText, formatTime, formatClock, formatWhen, createdMs, statusText, newRef,
  bannedText, localizeTimes,
} from '../../../../assets/js/util.js';

test('colours are only ever #rrggbb', () => {
  assert.equal(safeColor('#FE0302'), '#fe0302');
  assert.equal(safeColor('red;background:url(x)'), '#ffffff');
  assert.equal(safeColor(undefined), '#ffffff');
  assert.equal(isColor('#00cd00'), true);
  assert.equal(isColor('#00cd0'), false);
  assert.equal(isColor(0xffffff), false);
});

test('display text is one line', () => {
  assert.equal(displayText('a\nb\r\nc\td'), 'a b c d');
  assert.equal(displayText(null), '');
});

test('normalization ignores case, width, spacing and trailing punctuation', () => {
  assert.equal(normalizeText('  Hello   World!!! '), 'hello world');
  assert.equal(normalizeText('ＨＥＬＬＯ'), 'hello');
  assert.equal(normalizeText('哈哈哈！！'), '哈哈哈');
  assert.equal(normalizeText('???'), '');
  assert.notEqual(normalizeText('2333'), normalizeText('233'));
});

test('times read as m:ss, and h:mm:ss from an hour', () => {
  assert.equal(formatTime(0), '0:00');
  assert.equal(formatTime(9.99), '0:09');
  assert.equal(formatTime(75), '1:15');
  assert.equal(formatTime(3600 + 62), '1:01:02');
  assert.equal(formatTime(-3), '0:00');
  assert.equal(formatTime(NaN), '0:00');
});

test('clock times are local HH:MM:SS; unknown instants are blank', () => {
  const ms = new Date(2026, 0, 2, 3, 4, 5).getTime();
  assert.equal(formatClock(ms), '03:04:05');
  assert.equal(formatClock(NaN), '');
  assert.equal(createdMs({ created_at: '2026-01-01T00:00:01.500Z' }), Date.parse('2026-01-01T00:00:01.500Z'));
  assert.ok(Number.isNaN(createdMs({})));
});

test('instants read as the time alone on the same day, with the date before', () => {
  const now = new Date(2026, 4, 3, 18, 0, 0);
  const sameDay = new Date(2026, 4, 3, 14, 3, 22);
  const earlier = new Date(2026, 4, 1, 14, 3, 22);
  assert.equal(formatWhen(sameDay.toISOString(), now), sameDay.toLocaleTimeString());
  assert.equal(
    formatWhen(earlier.toISOString(), now),
    earlier.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
  );
  assert.notEqual(formatWhen(earlier.toISOString(), now), earlier.toLocaleTimeString(), 'another day shows its date');
  assert.equal(formatWhen('', now), '');
  assert.equal(formatWhen(undefined, now), '');
});

test('connection indicator texts', () => {
  assert.equal(statusText('open'), 'Connected', 'connected, not "Live": that is a kind of room');
  assert.equal(statusText('connecting'), 'Connecting…');
  assert.equal(statusText('reconnecting', { delay: 1200 }), 'Reconnecting in 2 s…');
  assert.equal(statusText('reconnecting', {}), 'Reconnecting…');
  assert.equal(statusText('closed', { reason: 'no such room' }), 'Disconnected: no such room');
  assert.equal(statusText('idle'), '');
});

test('refs are fresh every time', () => {
  const refs = new Set();
  for (let i = 0; i < 1000; i++) refs.add(newRef());
  assert.equal(refs.size, 1000);
});

test('a ban is told in plain words, its end in local time', () => {
  const now = new Date(2026, 4, 3, 9, 0, 0);
  const until = new Date(2026, 4, 3, 14, 3, 22).toISOString();
  const local = new Date(until).toLocaleTimeString();
  assert.equal(bannedText({ room: 'demo', reason: 'spam', until }, now), `Banned from this room until ${local}: spam`);
  assert.equal(bannedText({ reason: 'bots' }, now), 'Banned: bots');
  assert.equal(bannedText({}, now), 'Banned');
  const msg = localizeTimes(`you are banned until ${until.replace('.000', '')}: spam`, now);
  assert.equal(msg, `you are banned until ${local}: spam`);
  assert.equal(localizeTimes('no time here'), 'no time here');
});
