// Page script for /rooms/:id: the video with live comments, its controls and
// heat curve, the send bar, the comment list and menu, the connection
// indicator, viewer count and likes.

import { createClient } from '../client.js';
import { createAPI } from '../api.js';
import { mountComposer, errorMessage, MAX_TEXT } from '../compose.js';
import { createdMs, formatClock, statusText, bannedText, modesText } from '../util.js';
import { byId } from '../dom.js';
import { setupPlayer, mountList, showCount, loadHeat } from './common.js';
import { wireCommentMenu } from './menu.js';

/** Recent comments a live room's list starts with. */
const LIVE_HISTORY = 50;

/** The longest wait for a ban's end before trying again by itself (setTimeout's limit is about 24 days). */
const MAX_BAN_WAIT = 2 ** 31 - 1;

const root = document.getElementById('dm-room');
const restAPI = createAPI({ base: root?.dataset.apiBase || '' });
const client = createClient({
  room: root?.dataset.roomId,
  url: root?.dataset.wsUrl || undefined,
  fetchAfter: (room, afterSeq) => restAPI.commentsAfter(room, afterSeq),
});
const live = root?.dataset.roomKind === 'live';
// Live rooms show pushed comments at once; VOD rooms also load by video time.
const { roomId, api, player, video, settings, controls } = setupPlayer({ client, loadWindows: !live });
// A VOD lists comments by video time (click to seek); a live room by when they were sent.
const list = live
  ? mountList(player, video, settings, { keyOf: (c) => createdMs(c) || Date.now(), label: formatClock, seekable: false })
  : mountList(player, video, settings);
wireCommentMenu(player, list, settings);
// A live room's video is not its timeline: only a VOD draws the heat curve.
const heat = live ? null : loadHeat(api, roomId, controls, video);

const maxText = Number(root?.dataset.maxText) || MAX_TEXT;
const status = byId('dm-status');
const composeBox = byId('dm-compose');
const composer = composeBox ? mountComposer(composeBox, { onSend: (draft) => player.send(draft), maxText }) : null;
composer?.setEnabled(false);

let banTimer = null;
client.on('state', (state, info) => {
  const banned = client.banned && state === 'closed';
  if (status) {
    status.dataset.state = banned ? 'banned' : state;
    status.textContent = banned ? 'Banned' : statusText(state, info);
  }
  // Sending needs the socket: while it is down the bar says why and waits.
  composer?.setEnabled(state === 'open');
  if (state === 'open') composer?.setError('');
  else if (banned) composer?.setError(bannedText(client.banned));
  else if (state === 'reconnecting' || state === 'closed') composer?.setError('Offline: sending is paused until the connection is back.');
});

// A ban closes the socket for good; a timed one ends, and then the page
// comes back by itself.
client.on('banned', (ban) => {
  clearTimeout(banTimer);
  const wait = ban.until ? Date.parse(ban.until) - Date.now() : NaN;
  if (wait > 0 && wait < MAX_BAN_WAIT) {
    banTimer = setTimeout(() => {
      client.banned = null;
      client.connect();
    }, wait + 1000);
  }
});

let historyLoaded = false;
let likedLoaded = false;
client.on('welcome', (m) => {
  showCount('dm-viewers', m.viewers);
  if (!likedLoaded) {
    likedLoaded = true;
    loadLiked();
  }
  if (!live || historyLoaded || !list) return;
  historyLoaded = true;
  const after = Math.max(0, (m.last_seq ?? 0) - LIVE_HISTORY);
  restAPI
    .commentsAfter(roomId, after, { limit: LIVE_HISTORY })
    .then((items) => {
      list.add(items);
      list.follow();
    })
    .catch(() => {});
});
client.on('presence', (n) => showCount('dm-viewers', n));

// The room's live modes, in the send bar: a modes frame follows the
// welcome when any is on, and comes again whenever moderators change them.
const modesLine = byId('dm-modes');
const showModes = (m) => {
  if (!modesLine) return;
  const labels = modesText(m);
  modesLine.textContent = labels.join(' · ');
  modesLine.hidden = labels.length === 0;
};
client.on('welcome', () => showModes({}));
client.on('modes', showModes);
client.on('likes', (m) => showCount('dm-room-likes', m.room_likes));
client.on('error', (err) => composer?.setError(errorMessage(err)));

// The room's comment counter and heat curve follow what arrives.
const countEl = byId('dm-comment-count');
const bumpCount = (n) => {
  if (countEl && n > 0) countEl.textContent = String((Number(countEl.textContent) || 0) + n);
};
client.on('comments', (items) => {
  bumpCount(items.length);
  if (heat) for (const c of items) controls.countComment(c.time);
});
client.on('retract', () => heat?.refresh());
player.on('sent', (c) => {
  if (!c) return;
  bumpCount(1);
  if (heat) controls.countComment(c.time);
});
if (live) player.on('comments', () => list?.follow());

const likeRoom = byId('dm-like-room');
const showRoomLiked = () => {
  likeRoom.disabled = true;
  likeRoom.classList.add('dm-liked');
  likeRoom.setAttribute('aria-pressed', 'true');
};
likeRoom?.addEventListener('click', async () => {
  likeRoom.disabled = true;
  try {
    const ack = client.connected ? await client.like() : await api.likeRoom(roomId);
    showCount('dm-room-likes', ack?.likes);
    showRoomLiked();
  } catch {
    likeRoom.disabled = false;
  }
});

// What this viewer liked before, as the server remembers it.
async function loadLiked() {
  try {
    const liked = await api.liked(roomId);
    player.setLiked(liked.comments ?? []);
    if (liked.room && likeRoom) showRoomLiked();
  } catch {
    // The marks are a nicety: likes still work.
  }
}

client.connect();
// Leave cleanly when the page goes away; come back if it is restored from the back/forward cache.
window.addEventListener('pagehide', () => client.close());
// Back online: retry at once instead of waiting out the backoff (not while banned).
window.addEventListener('online', () => client.banned || client.connect());
window.addEventListener('pageshow', (e) => {
  if (e.persisted && !client.banned) client.connect();
});
