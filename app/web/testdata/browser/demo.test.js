import { check, assert, until } from './harness.js';
import { createPlayer } from '/assets/js/player.js';
import { createSettingsStore } from '/assets/js/settings.js';
import { Emitter } from '/assets/js/emitter.js';

// A busy room: 40 comments per second of video, a few duplicates, all sizes,
// modes and colours, plus text that must show literally.
const texts = ['233333', '哈哈哈哈哈', 'first!', '<img src=x onerror=alert(1)>', 'This part is amazing', '前方高能', 'lol', 'nice', '草', 'AWSL', '泪目', 'wwwwww', 'ok that was unexpected', '666'];
const colors = ['#ffffff', '#ffffff', '#ffffff', '#ffffff', '#fe0302', '#ffd302', '#00a2ff', '#00cd00', '#cc0273'];
const all = [];
for (let i = 0; i < 60 * 40; i++) {
  const time = i / 40;
  all.push({
    id: i + 1, seq: i + 1, room: 'demo', time, text: texts[(i * 5) % texts.length] + (i % 3 === 0 ? "" : ` ${i % 50}`),
    mode: i % 17 === 0 ? 'top' : i % 19 === 0 ? 'bottom' : 'scroll',
    size: i % 13 === 0 ? 'large' : i % 6 === 0 ? 'small' : 'medium',
    color: colors[i % colors.length], user: { id: 'u' },
  });
}
const api = { segment: async (room, n) => all.filter((c) => c.time >= n * 360 && c.time < (n + 1) * 360) };
class Client extends Emitter {
  connected = true;
  user = { id: 'me' };
  sendComment() { return new Promise(() => {}); }
  async like() { return {}; }
}
const video = document.getElementById('dm-video');
const root = document.getElementById('dm-stage');
const settings = createSettingsStore(null);
settings.update({ density: 'high' });
const player = createPlayer({ video, stageRoot: root, roomId: 'demo', api, client: new Client(), settings });

check('a dense feed fills the screen and keeps animating', async () => {
  await until(() => video.readyState >= 2, 10000, 'video');
  await video.play();
  await until(() => video.currentTime > 2.5, 15000, 'playback');
  player.send({ text: 'this is my own comment', mode: 'scroll', color: '#ffffff', size: 'medium' });
  // Frame rate of the page while it is busy (informational: no GPU here).
  let n = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const step = () => (++n, performance.now() - t0 < 1500 ? requestAnimationFrame(step) : resolve());
    requestAnimationFrame(step);
  });
  const fps = (n * 1000) / (performance.now() - t0);
  const count = root.querySelectorAll('.dm-item').length;
  assert(count >= 40, `only ${count} comments on screen`);
  assert(root.querySelector('.dm-own'), 'own comment not shown');
  return `${count} comments on screen, ${player.stage.waiting} waiting, ${fps.toFixed(0)} frames/s`;
});
