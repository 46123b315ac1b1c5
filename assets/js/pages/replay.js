// Page script for /rooms/:id/replay: a live room's stored comments played
// back at the pace they were sent (by created_at), with the player's own
// controls (play/pause, 1×/2×/4×, a progress bar over the heat curve).
// There is no video to follow: a ReplayClock is the playhead, and a
// ReplaySource turns the room's comments (fetched in seq order) into
// windows of replay time, so the ordinary player drives the overlay.

import { createReplayClock } from '../replay-clock.js';
import { createReplaySource } from '../replay-source.js';
import { createAPI } from '../api.js';
import { requireId } from '../dom.js';
import { setupPlayer, mountList, loadHeat } from './common.js';
import { wireCommentMenu } from './menu.js';

const root = requireId('dm-room');
const origin = Number(root.dataset.origin);
const duration = Number(root.dataset.duration) || 0;
const rest = createAPI({ base: root.dataset.apiBase || '' });
const clock = createReplayClock({ duration });
const source = createReplaySource({
  originMs: origin,
  fetchAfter: (afterSeq, limit) => rest.commentsAfter(root.dataset.roomId, afterSeq, { limit }),
});
const { player, settings, controls, roomId } = setupPlayer({ client: null, video: clock, source, kind: 'vod', duration });
const list = mountList(player, clock, settings);
wireCommentMenu(player, list, settings);
// The server counts a live room's comments by seconds since the replay's start.
loadHeat(rest, roomId, controls, clock);

(function frame() {
  clock.tick();
  controls.render();
  requestAnimationFrame(frame);
})();
