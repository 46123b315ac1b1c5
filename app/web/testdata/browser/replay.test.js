import { check, assert, until } from './harness.js';

const stage = document.getElementById('dm-stage');

check('the replay page loads comments over REST and plays them without a socket', async () => {
  await document.getElementById('dm-video').play();
  await until(() => stage.querySelector('.dm-item'), 10000, 'a comment');
  assert(stage.querySelector('.dm-item .dm-text').textContent.startsWith('seeded '));
  assert(document.getElementById('dm-compose').children.length === 0, 'no composer on the replay page');
});
