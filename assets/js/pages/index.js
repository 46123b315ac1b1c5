// Page script for /: keeps the viewer and comment counts of the listed rooms
// current while the page is open (the list itself is rendered by the server).

import { createAPI } from '../api.js';

/** How often the counts are refreshed while the page is visible. */
const REFRESH_MS = 10000;

const api = createAPI();

async function refresh() {
  if (document.visibilityState !== 'visible') return;
  let rooms;
  try {
    rooms = (await api.listRooms())?.rooms ?? [];
  } catch {
    return; // keep the numbers shown; try again next time
  }
  for (const r of rooms) {
    const card = document.querySelector(`[data-room="${CSS.escape(r.id)}"]`);
    if (!card) continue;
    for (const [field, value] of [['viewers', r.viewers], ['comments', r.comment_count]]) {
      const el = card.querySelector(`[data-count="${field}"]`);
      if (el && Number.isFinite(value)) el.textContent = String(value);
    }
  }
}

setInterval(refresh, REFRESH_MS);
document.addEventListener('visibilitychange', refresh);
