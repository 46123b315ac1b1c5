// The rows of the moderation page's tables (DOM). Stateless: each function
// builds one row from what admin-state.js holds and calls back for the
// buttons; pages/admin.js puts them in place. Every text from users goes in
// as textContent, never as HTML.

import { el } from './dom.js';
import { formatWhen } from './util.js';
import { banWho, breakerBadge, formatLatency, hostBadges, reasonsText } from './admin-state.js';

/** A table cell with text and optionally a class. */
function cell(doc, text, className) {
  return el(doc, 'td', className ? { textContent: text ?? '', className } : { textContent: text ?? '' });
}

function button(doc, label, className, onClick) {
  const b = el(doc, 'button', { type: 'button', textContent: label, className });
  b.addEventListener('click', onClick);
  return b;
}

function actions(doc, buttons) {
  return el(doc, 'td', { className: 'mod-actions' }, buttons);
}

/** "Name (id)" of a comment's author. */
function author(c) {
  return `${c.user?.name ?? ''} (${c.user?.id ?? ''})`;
}

/**
 * A row of the held queue: a tick box for bulk decisions (checked,
 * onCheck(bool)), and Approve / Reject buttons that call onDecide(verb).
 */
export function heldRow(doc, c, { checked, onCheck, onDecide }) {
  const box = el(doc, 'input', { type: 'checkbox', checked, 'aria-label': `Select comment ${c.id}` });
  box.addEventListener('change', () => onCheck(box.checked));
  return el(doc, 'tr', { dataset: { id: c.id } }, [
    el(doc, 'td', { className: 'mod-check' }, [box]),
    cell(doc, formatWhen(c.created_at)),
    cell(doc, c.room),
    cell(doc, author(c)),
    cell(doc, c.text, 'mod-text'),
    cell(doc, c.note, 'mod-note'),
    actions(doc, [
      button(doc, 'Approve', 'mod-approve', () => onDecide('approve')),
      button(doc, 'Reject', 'mod-danger mod-reject', () => onDecide('reject')),
    ]),
  ]);
}

/**
 * A row of the recent comments with its status badge, Delete (onDelete,
 * unless deleted already) and Ban user / Ban address buttons that call
 * onBan with what to fill the ban form with.
 */
export function recentRow(doc, c, { onDelete, onBan }) {
  const status = cell(doc, c.status, `mod-badge mod-${c.status}`);
  if (c.moderated_by) status.title = `by ${c.moderated_by}`;
  const acts = [];
  if (c.status !== 'deleted') acts.push(button(doc, 'Delete', 'mod-danger mod-delete', onDelete));
  acts.push(button(doc, 'Ban user', 'mod-ban-user', () => onBan({ user_id: c.user?.id, room: c.room })));
  if (c.ip) acts.push(button(doc, 'Ban address', 'mod-ban-ip', () => onBan({ ip: c.ip, room: c.room })));
  return el(doc, 'tr', { dataset: { id: c.id, status: c.status } }, [
    cell(doc, formatWhen(c.created_at)),
    cell(doc, c.room),
    cell(doc, author(c)),
    cell(doc, c.ip),
    cell(doc, c.text, 'mod-text'),
    status,
    actions(doc, acts),
  ]);
}

/**
 * A row of the reported queue: how many viewers reported it and why, its
 * status (a held one was hidden by its reports), and Dismiss (the reports
 * were wrong: onDismiss), Approve (a hidden one: onDecide('approve')),
 * Delete (onDecide('delete')) and Ban user (onBan) buttons.
 */
export function reportedRow(doc, c, { onDismiss, onDecide, onBan }) {
  const acts = [button(doc, 'Dismiss', 'mod-dismiss', onDismiss)];
  if (c.status === 'held') acts.push(button(doc, 'Approve', 'mod-approve', () => onDecide('approve')));
  acts.push(button(doc, 'Delete', 'mod-danger mod-delete', () => onDecide('delete')));
  acts.push(button(doc, 'Ban user', 'mod-ban-user', () => onBan({ user_id: c.user?.id, room: c.room })));
  return el(doc, 'tr', { dataset: { id: c.id, status: c.status } }, [
    cell(doc, formatWhen(c.created_at)),
    cell(doc, c.room),
    cell(doc, author(c)),
    cell(doc, c.text, 'mod-text'),
    cell(doc, `${c.reports}: ${reasonsText(c.reasons)}`, 'mod-reports'),
    cell(doc, c.status === 'held' ? 'hidden' : c.status, `mod-badge mod-${c.status}`),
    actions(doc, acts),
  ]);
}

/** A row of the bans in force, with an Unban button (onUnban). */
export function banRow(doc, b, { onUnban }) {
  return el(doc, 'tr', { dataset: { id: b.id } }, [
    cell(doc, banWho(b)),
    cell(doc, b.room || 'every room'),
    cell(doc, b.until ? formatWhen(b.until) : 'permanent'),
    cell(doc, b.reason),
    cell(doc, b.created_by),
    actions(doc, [button(doc, 'Unban', 'mod-unban', onUnban)]),
  ]);
}

/**
 * A row of the plugin counters (a statsRows entry). A plugin with a
 * circuit breaker gets a badge after its name: .mod-breaker.mod-breaker-<state>;
 * the host's notes (hostBadges) get .mod-breaker.mod-host-<kind>.
 */
export function statsRow(doc, r) {
  const plugin = cell(doc, r.plugin);
  const badge = breakerBadge(r);
  if (badge) {
    plugin.append(' ', el(doc, 'span', { className: `mod-breaker mod-breaker-${badge.state}`, textContent: badge.text, title: badge.title }));
  }
  for (const b of hostBadges(r)) {
    plugin.append(' ', el(doc, 'span', { className: `mod-breaker mod-host-${b.kind}`, textContent: b.text, title: b.title }));
  }
  const counts = [r.calls, r.allows, r.rewrites, r.rejects, r.holds, r.shadows, r.errors, r.timeouts, r.joinRefusals];
  return el(doc, 'tr', {}, [
    cell(doc, r.chain),
    plugin,
    ...counts.map((n) => cell(doc, String(n ?? 0))),
    cell(doc, formatLatency(r.meanSeconds)),
    cell(doc, formatLatency(r.p99Seconds)),
  ]);
}

/** Refills a room picker: `first` (value '') and the rooms, keeping what is selected. */
export function fillRoomPicker(select, first, rooms) {
  const keep = select.value;
  const Option = select.ownerDocument.defaultView.Option;
  select.replaceChildren(new Option(first, ''), ...rooms.map((r) => new Option(r, r)));
  select.value = keep;
}
