// Keyboard shortcuts of the player pages (DOM): space plays and pauses,
// ← and → seek 5 s, d shows or hides the comments, Enter goes to the send
// box, ? opens the list of shortcuts. They never act while the viewer
// types in a field, and leave buttons their own Space and Enter.

/** The shortcuts, as the help popover lists them: [keys, what]. */
export const SHORTCUTS = Object.freeze([
  ['Space', 'Play or pause'],
  ['← / →', 'Back or forward 5 seconds'],
  ['D', 'Show or hide the comments'],
  ['Enter', 'Write a comment'],
  ['?', 'This list'],
  ['Esc', 'Close a menu'],
]);

/** Seconds ← and → seek. */
export const SEEK_STEP = 5;

/** Whether a keydown on `target` belongs to what has the focus rather than to the page. */
export function typingIn(target) {
  return !!target?.closest?.('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

/**
 * Listens on `doc` for the shortcuts and calls the handlers given:
 * togglePlay(), seek(seconds), toggleComments(), compose(), help(). A
 * missing handler leaves its key alone. Returns an unwire function.
 */
export function wireShortcuts(doc, { togglePlay, seek, toggleComments, compose, help }) {
  const onKey = (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    // Space and Enter on a button, a link or a summary press it.
    const control = e.target?.closest?.('button, a, summary, [role="menuitem"]');
    let run = null;
    switch (e.key) {
      case ' ':
        if (!control) run = togglePlay;
        break;
      case 'ArrowLeft':
        run = seek && (() => seek(-SEEK_STEP));
        break;
      case 'ArrowRight':
        run = seek && (() => seek(SEEK_STEP));
        break;
      case 'd':
      case 'D':
        run = toggleComments;
        break;
      case 'Enter':
        if (!control && !e.target?.closest?.('.dm-entry')) run = compose;
        break;
      case '?':
        run = help;
        break;
    }
    if (!run) return;
    e.preventDefault();
    run();
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}
