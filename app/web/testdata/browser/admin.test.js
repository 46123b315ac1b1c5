import { check, assert, equal } from './harness.js';
import { statsRows } from '/assets/js/admin-state.js';
import { heldRow, recentRow, banRow, statsRow, fillRoomPicker } from '/assets/js/admin-view.js';

const $ = (id) => document.getElementById(id);
const lat = { buckets: [{ le: 0.001, count: 4 }], count: 4, sum_seconds: 0.002 };
const hostile = '<img src=x id=pwned>';

check('plugin counters show a circuit breaker badge where the plugin has one', () => {
  const stats = {
    default: {
      plugins: [
        { name: 'wordfilter', calls: 4, allows: 4, latency: lat },
        { name: 'wasm-spam', calls: 9, errors: 5, latency: lat, breaker: 'open', breaker_opens: 3 },
        { name: 'hook', calls: 2, latency: lat, breaker: 'half_open', breaker_opens: 1 },
      ],
    },
    rooms: { demo: { plugins: [{ name: hostile, calls: 1, latency: lat, breaker: 'closed', breaker_opens: 0 }] } },
  };
  $('plugin-rows').replaceChildren(...statsRows(stats).map((r) => statsRow(document, r)));
  const rows = [...$('plugin-rows').rows];
  equal(rows.length, 4, 'rows');
  for (const tr of rows) equal(tr.cells.length, 13, 'cells per row, as the header has');
  equal(rows[0].cells[1].textContent, 'wordfilter', 'a plugin without a breaker: its name alone');
  equal(rows[0].querySelector('.mod-breaker'), null, 'and no badge');
  equal(rows[0].cells[2].textContent, '4', 'calls');
  equal(rows[0].cells[11].textContent, '500µs', 'mean latency');

  const open = rows[1].querySelector('.mod-breaker');
  assert(open && open.classList.contains('mod-breaker-open'), 'an open breaker has its class');
  equal(open.textContent, 'breaker open · opened 3×', 'badge text');
  assert(/calls are skipped/.test(open.title), `the title explains it: ${open.title}`);
  equal(rows[1].cells[1].firstChild.textContent, 'wasm-spam', 'the name comes first');
  assert(rows[2].querySelector('.mod-breaker.mod-breaker-half_open'), 'half-open badge');

  const closed = rows[3].querySelector('.mod-breaker');
  assert(closed.classList.contains('mod-breaker-closed'), 'closed badge');
  equal(rows[3].cells[0].textContent, 'room demo', 'the room chain');
  assert(rows[3].cells[1].textContent.startsWith(hostile), 'a plugin name is text, never markup');
  equal(document.getElementById('pwned'), null, 'no element came from the name');

  const bg = (e) => getComputedStyle(e).backgroundColor;
  assert(bg(open) !== bg(closed), `open and closed look different (${bg(open)} vs ${bg(closed)})`);
  assert(bg(open) !== 'rgba(0, 0, 0, 0)', 'the badge is styled by admin.css');
});

check('held rows: user text as text, tick box and decisions call back', () => {
  const calls = [];
  const c = { id: 7, room: 'demo', text: hostile, note: 'nospoilers: spoiler', user: { id: 'g-1', name: 'Ann' }, created_at: new Date().toISOString() };
  const tr = heldRow(document, c, { checked: true, onCheck: (on) => calls.push(['check', on]), onDecide: (v) => calls.push(['decide', v]) });
  $('held-rows').replaceChildren(tr);
  equal(tr.dataset.id, '7', 'data-id');
  equal(tr.cells[4].textContent, hostile, 'the comment as text');
  equal(document.getElementById('pwned'), null, 'no element came from the text');
  equal(tr.cells[3].textContent, 'Ann (g-1)', 'the author');
  const box = tr.querySelector('input[type=checkbox]');
  assert(box.checked, 'ticked as asked');
  equal(box.getAttribute('aria-label'), 'Select comment 7', 'labelled');
  box.click();
  tr.querySelector('.mod-approve').click();
  tr.querySelector('.mod-reject').click();
  equal(JSON.stringify(calls), JSON.stringify([['check', false], ['decide', 'approve'], ['decide', 'reject']]), 'callbacks');
});

check('recent rows: Delete unless deleted, Ban address only with an address', () => {
  const bans = [];
  const deletes = [];
  const visible = { id: 1, room: 'demo', status: 'visible', ip: '203.0.113.7', text: 'hi', user: { id: 'u1', name: 'U' }, moderated_by: 'm1' };
  const deleted = { id: 2, room: 'demo', status: 'deleted', text: 'bye', user: { id: 'u2', name: 'V' } };
  const rows = [visible, deleted].map((c) => recentRow(document, c, { onDelete: () => deletes.push(c.id), onBan: (b) => bans.push(b) }));
  $('recent-rows').replaceChildren(...rows);
  equal(rows[0].dataset.status, 'visible', 'data-status');
  equal(rows[0].cells[5].className, 'mod-badge mod-visible', 'status badge');
  equal(rows[0].cells[5].title, 'by m1', 'who moderated it');
  rows[0].querySelector('.mod-delete').click();
  rows[0].querySelector('.mod-ban-user').click();
  rows[0].querySelector('.mod-ban-ip').click();
  equal(rows[1].querySelector('.mod-delete'), null, 'no Delete for a deleted comment');
  equal(rows[1].querySelector('.mod-ban-ip'), null, 'no Ban address without an address');
  equal(JSON.stringify(deletes), '[1]', 'delete callback');
  equal(JSON.stringify(bans), JSON.stringify([{ user_id: 'u1', room: 'demo' }, { ip: '203.0.113.7', room: 'demo' }]), 'ban callbacks');
});

check('ban rows and room pickers', () => {
  let unbanned = 0;
  const tr = banRow(document, { id: 5, user_id: 'u1', ip: '203.0.113.7/32', room: '', reason: 'spam', created_by: 'm1' }, { onUnban: () => unbanned++ });
  $('ban-rows').replaceChildren(tr);
  equal([...tr.cells].slice(0, 5).map((td) => td.textContent).join('|'), 'user u1 and address 203.0.113.7|every room|permanent|spam|m1', 'cells');
  tr.querySelector('.mod-unban').click();
  equal(unbanned, 1, 'unban callback');

  const sel = $('room');
  fillRoomPicker(sel, 'All rooms', ['a', 'b']);
  sel.value = 'b';
  fillRoomPicker(sel, 'All rooms', ['a', 'b', 'c']);
  equal([...sel.options].map((o) => o.value).join(','), ',a,b,c', 'options');
  equal(sel.value, 'b', 'the selection stays');
});
