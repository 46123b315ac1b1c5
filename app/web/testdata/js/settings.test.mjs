import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultSettings, sanitizeSettings, loadSettings, saveSettings, createFilter, createSettingsStore, STORAGE_KEY,
} from '../../../../assets/js/settings.js';

class FakeStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
}

test('defaults are returned for missing or corrupt storage', () => {
  const s = new FakeStorage();
  assert.deepEqual(loadSettings(s), defaultSettings());
  s.setItem(STORAGE_KEY, '{not json');
  assert.deepEqual(loadSettings(s), defaultSettings());
  assert.deepEqual(loadSettings(null), defaultSettings());
  const throwing = { getItem() { throw new Error('SecurityError'); } };
  assert.deepEqual(loadSettings(throwing), defaultSettings());
});

test('sanitize clamps numbers and rejects unknown values', () => {
  const s = sanitizeSettings({
    visible: 'yes', opacity: 5, fontScale: 0.1, speed: '1.5', area: 0.3, density: 'max',
    hideModes: { top: true, scroll: 1 }, blockedKeywords: ['  spoiler ', 'Spoiler', '', 42, 'x'.repeat(80)],
  });
  assert.equal(s.visible, true);
  assert.equal(s.opacity, 1);
  assert.equal(s.fontScale, 0.5);
  assert.equal(s.speed, 1.5);
  assert.equal(s.area, 1);
  assert.equal(s.density, 'normal');
  assert.deepEqual(s.hideModes, { scroll: false, top: true, bottom: false });
  assert.deepEqual(s.blockedKeywords, ['spoiler', 'x'.repeat(50)]);
});

test('save then load round-trips', () => {
  const st = new FakeStorage();
  const want = { ...defaultSettings(), opacity: 0.5, area: 0.5, density: 'high', blockedKeywords: ['boo'] };
  assert.equal(saveSettings(st, want), true);
  assert.deepEqual(loadSettings(st), want);
});

test('save reports a refusing storage', () => {
  assert.equal(saveSettings({ setItem() { throw new Error('QuotaExceededError'); } }, defaultSettings()), false);
});

test('filter hides by mode and by keyword, never the own comment', () => {
  const f = createFilter(sanitizeSettings({ hideModes: { top: true }, blockedKeywords: ['Spoiler', '/^\\d+$/'] }));
  assert.equal(f({ mode: 'top', text: 'hi' }), false);
  assert.equal(f({ mode: 'scroll', text: 'big SPOILER ahead' }), false);
  assert.equal(f({ mode: 'scroll', text: 'ｓｐｏｉｌｅｒ' }), false, 'full-width matches too');
  assert.equal(f({ mode: 'scroll', text: '2333' }), false, 'regexp keyword');
  assert.equal(f({ mode: 'scroll', text: '2333a' }), true);
  assert.equal(f({ mode: 'scroll', text: 'fine' }), true);
  assert.equal(f({ mode: 'top', text: 'spoiler' }, { own: true }), true);
});

test('an invalid regexp keyword is matched as text', () => {
  const f = createFilter(sanitizeSettings({ blockedKeywords: ['/(/'] }));
  assert.equal(f({ mode: 'scroll', text: 'a /(/ b' }), false);
  assert.equal(f({ mode: 'scroll', text: 'a ( b' }), true);
});

test('store updates merge, validate, persist and emit', () => {
  const st = new FakeStorage();
  const store = createSettingsStore(st);
  const seen = [];
  store.on('change', (v, prev) => seen.push([v.opacity, prev.opacity, v.hideModes]));
  store.update({ opacity: 0.4, hideModes: { bottom: true } });
  store.update({ hideModes: { top: true } });
  assert.deepEqual(seen[0].slice(0, 2), [0.4, 1]);
  assert.deepEqual(seen[1][2], { scroll: false, top: true, bottom: true });
  assert.equal(createSettingsStore(st).get().opacity, 0.4);
  store.reset();
  assert.deepEqual(loadSettings(st), defaultSettings());
});

test('the new settings are clamped: shield 0–10, on-screen cap 0–300, blocked users unique', () => {
  const s = sanitizeSettings({
    shield: 12.4, maxOnScreen: -3, subtitleSafe: 'no',
    blockedUsers: [{ id: 'g-1', name: 'guest-1' }, { id: 'g-1', name: 'again' }, { id: 7 }, { name: 'no id' }, { id: 'u2', name: 5 }],
  });
  assert.equal(s.shield, 10);
  assert.equal(s.maxOnScreen, 0);
  assert.equal(s.subtitleSafe, true);
  assert.deepEqual(s.blockedUsers, [{ id: 'g-1', name: 'guest-1' }, { id: 'u2', name: '' }]);
  assert.equal(sanitizeSettings({ maxOnScreen: '40', shield: '3' }).maxOnScreen, 40);
  assert.equal(sanitizeSettings({ shield: 3.6 }).shield, 4);
  const many = Array.from({ length: 250 }, (_, i) => ({ id: `u${i}` }));
  assert.equal(sanitizeSettings({ blockedUsers: many }).blockedUsers.length, 200);
});

test('filter hides blocked users and comments below the shield level', () => {
  const f = createFilter(sanitizeSettings({ shield: 5, blockedUsers: [{ id: 'troll', name: 'Troll' }] }));
  for (const [c, want, why] of [
    [{ mode: 'scroll', text: 'a', weight: 5, user: { id: 'u1' } }, true, 'at the level'],
    [{ mode: 'scroll', text: 'a', weight: 4, user: { id: 'u1' } }, false, 'below the level'],
    [{ mode: 'scroll', text: 'a', user: { id: 'u1' } }, false, 'no weight weighs 0'],
    [{ mode: 'scroll', text: 'a', weight: 9, user: { id: 'troll' } }, false, 'a blocked user'],
  ]) {
    assert.equal(f(c), want, why);
  }
  assert.equal(f({ mode: 'scroll', text: 'a', weight: 0, user: { id: 'troll' } }, { own: true }), true, 'never the own comment');
  assert.equal(createFilter(defaultSettings())({ mode: 'scroll', text: 'a' }), true, 'level 0 shows everything');
});
