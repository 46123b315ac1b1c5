// Popovers (DOM): the <details> menus of the pages (settings, comment
// style, speed, keyboard help) behave like menus: one open at a time, Esc
// or a click outside closes them, and an open one is moved into the
// viewport when it would stick out (on a phone, say).
//
// DOM hooks: details.dm-popover and details.dm-style, each with a panel
// (.dm-popover-panel or .dm-style-panel); an open panel that has more room
// below its button than above gets .dm-popover-below (and a max-height
// when even that room is short), one that would run off a side is moved
// by --dm-shift.

/** Pixels kept between a panel and the viewport's edges. */
const EDGE = 8;

const SELECTOR = 'details.dm-popover, details.dm-style';
const OPEN = 'details.dm-popover[open], details.dm-style[open]';

/** Wires every popover in `doc`, now and later (composers mount theirs on the fly). Returns an unwire function. */
export function wirePopovers(doc = document) {
  const view = doc.defaultView;
  const open = () => [...doc.querySelectorAll(OPEN)];
  const onToggle = (e) => {
    const d = e.target;
    if (!(d instanceof view.HTMLDetailsElement) || !d.matches(SELECTOR) || !d.open) return;
    // One at a time, except the ones it sits in.
    for (const other of open()) if (other !== d && !other.contains(d)) other.open = false;
    fitPanel(d);
  };
  const onKey = (e) => {
    if (e.key !== 'Escape') return;
    const list = open();
    if (list.length === 0) return;
    const innermost = list.find((d) => !list.some((o) => o !== d && d.contains(o))) ?? list[0];
    innermost.open = false;
    innermost.querySelector('summary')?.focus();
    e.preventDefault();
  };
  const onPointer = (e) => {
    for (const d of open()) if (!d.contains(e.target)) d.open = false;
  };
  const onResize = () => open().forEach(fitPanel);
  doc.addEventListener('toggle', onToggle, true); // toggle does not bubble: capture it
  doc.addEventListener('keydown', onKey);
  doc.addEventListener('pointerdown', onPointer, true);
  view.addEventListener('resize', onResize);
  return () => {
    doc.removeEventListener('toggle', onToggle, true);
    doc.removeEventListener('keydown', onKey);
    doc.removeEventListener('pointerdown', onPointer, true);
    view.removeEventListener('resize', onResize);
  };
}

/**
 * Moves an open popover's panel inside the viewport: above its button or
 * below it, wherever there is more room (and no taller than that room),
 * and sideways when it would run off a side.
 */
export function fitPanel(details) {
  const panel = details.querySelector('.dm-popover-panel, .dm-style-panel');
  const button = details.querySelector('summary');
  if (!panel || !button) return;
  const view = details.ownerDocument.defaultView;
  panel.style.setProperty('--dm-shift', '0px');
  panel.style.maxHeight = '';
  const b = button.getBoundingClientRect();
  const above = b.top - EDGE - 14;
  const below = view.innerHeight - b.bottom - EDGE - 8;
  const natural = panel.getBoundingClientRect().height;
  const flip = natural > above && below > above;
  details.classList.toggle('dm-popover-below', flip);
  const room = Math.floor(flip ? below : above);
  if (natural > room) panel.style.maxHeight = `${Math.max(120, room)}px`;
  const r = panel.getBoundingClientRect();
  let shift = 0;
  if (r.right > view.innerWidth - EDGE) shift = view.innerWidth - EDGE - r.right;
  if (r.left + shift < EDGE) shift = EDGE - r.left;
  panel.style.setProperty('--dm-shift', `${Math.round(shift)}px`);
}
