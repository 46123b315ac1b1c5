import { check, assert, equal, until } from './harness.js';

const $ = (id) => document.getElementById(id);
const stage = $('dm-stage');

check('connects, shows the state and viewers, and enables the composer', async () => {
  await until(() => $('dm-status').dataset.state === 'open', 10000, 'open state');
  equal($('dm-status').textContent, 'Live');
  await until(() => $('dm-viewers').textContent === '7', 5000, 'viewer count');
  assert(!$('dm-send').disabled, 'send disabled while connected');
  assert($('dm-set-opacity'), 'settings panel not mounted');
});

check('seeded comments play with the video', async () => {
  await $('dm-video').play();
  await until(() => stage.querySelector('.dm-item'), 10000, 'a seeded comment');
  assert(stage.querySelector('.dm-item .dm-text').textContent.startsWith('seeded '));
});

check('sending through the composer: own outline, server id, shown once', async () => {
  $('dm-input').value = 'hello <i>there</i>';
  $('dm-send').click();
  const own = await until(() => stage.querySelector('.dm-own'), 5000, 'own comment');
  equal(own.querySelector('.dm-text').textContent, 'hello <i>there</i>');
  await until(() => own.dataset.id === '41', 5000, 'server id');
  await new Promise((r) => setTimeout(r, 200));
  const same = [...stage.querySelectorAll('.dm-item')].filter((e) => e.textContent.includes('hello <i>there</i>'));
  equal(same.length, 1, 'shown more than once');
});

check('a rejected comment disappears and the reason is shown', async () => {
  $('dm-input').value = 'please reject me';
  $('dm-send').click();
  await until(() => $('dm-compose-error').textContent.includes('refused'), 5000, 'error message');
  equal([...stage.querySelectorAll('.dm-item')].filter((e) => e.textContent.includes('reject me')).length, 0);
});

check('liking the room updates the count', async () => {
  $('dm-like-room').click();
  await until(() => $('dm-room-likes').textContent === '42', 5000, 'room likes');
});

check('the toggle hides and shows the comments', () => {
  $('dm-toggle').click();
  equal(getComputedStyle(stage).visibility, 'hidden');
  equal($('dm-toggle').getAttribute('aria-pressed'), 'false');
  $('dm-toggle').click();
  equal(getComputedStyle(stage).visibility, 'visible');
});
