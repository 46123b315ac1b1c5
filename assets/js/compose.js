// The comment composer: draft validation (pure) and the input bar (DOM).

import { MODES } from './lanes.js';

/** Longest comment text accepted on the client, in characters (code points). */
export const MAX_TEXT = 100;

/** Sizes a comment can have. */
export const SIZES = Object.freeze(['small', 'medium', 'large']);

/** Colour swatches offered in the composer (Bilibili's basic palette). */
export const PALETTE = Object.freeze(['#ffffff', '#fe0302', '#ff7204', '#ffaa02', '#ffd302', '#00cd00', '#00a2ff', '#cc0273']);

/**
 * Checks and normalizes a draft {text, mode, color, size}. Returns
 * {ok:true, draft} with trimmed text and valid fields, or {ok:false, code,
 * message} explaining what to fix.
 */
export function validateDraft({ text, mode = 'scroll', color = '#ffffff', size = 'medium' } = {}) {
  const t = String(text ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  if (t === '') return { ok: false, code: 'empty', message: 'Type a comment first.' };
  const len = [...t].length;
  if (len > MAX_TEXT) return { ok: false, code: 'too_long', message: `At most ${MAX_TEXT} characters (${len} now).` };
  if (!MODES.includes(mode)) return { ok: false, code: 'bad_mode', message: 'Unknown display mode.' };
  if (!SIZES.includes(size)) return { ok: false, code: 'bad_size', message: 'Unknown size.' };
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) {
    return { ok: false, code: 'bad_color', message: 'Colour must look like #rrggbb.' };
  }
  return { ok: true, draft: { text: t, mode, color: color.toLowerCase(), size } };
}

/** Human-readable message for an error {code, message} from the server or the client. */
export function errorMessage(err) {
  const byCode = {
    offline: 'Not connected: your comment was not sent.',
    timeout: 'The server did not answer; try again.',
    closed: 'Connection closed.',
    rate_limited: 'Too fast: wait a moment before sending again.',
  };
  return byCode[err?.code] || err?.message || 'Could not send the comment.';
}

function el(doc, tag, props = {}, children = []) {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

/**
 * Builds the composer inside `container`: text input, mode, size, colour and
 * a send button. onSend(draft) must return a promise; a rejection's
 * {code, message} is shown under the bar. Returns {setEnabled(bool), focus()}.
 */
export function mountComposer(container, { onSend }) {
  const doc = container.ownerDocument;
  container.classList.add('dm-compose');
  const input = el(doc, 'input', {
    type: 'text', id: 'dm-input', name: 'text', maxLength: MAX_TEXT * 2, autocomplete: 'off',
    placeholder: 'Send a comment…', 'aria-label': 'Comment text',
  });
  const mode = el(doc, 'select', { id: 'dm-mode', name: 'mode', 'aria-label': 'Display mode' }, [
    el(doc, 'option', { value: 'scroll', textContent: 'Scroll' }),
    el(doc, 'option', { value: 'top', textContent: 'Top' }),
    el(doc, 'option', { value: 'bottom', textContent: 'Bottom' }),
  ]);
  const size = el(doc, 'select', { id: 'dm-size', name: 'size', 'aria-label': 'Size' }, [
    el(doc, 'option', { value: 'small', textContent: 'Small' }),
    el(doc, 'option', { value: 'medium', textContent: 'Medium', selected: true }),
    el(doc, 'option', { value: 'large', textContent: 'Large' }),
  ]);
  const color = el(doc, 'input', { type: 'color', id: 'dm-color', name: 'color', value: '#ffffff', 'aria-label': 'Colour' });
  color.setAttribute('list', 'dm-palette');
  const palette = el(doc, 'datalist', { id: 'dm-palette' }, PALETTE.map((c) => el(doc, 'option', { value: c })));
  const send = el(doc, 'button', { type: 'submit', id: 'dm-send', textContent: 'Send' });
  const error = el(doc, 'div', { className: 'dm-compose-error', id: 'dm-compose-error', role: 'status' });
  const form = el(doc, 'form', { id: 'dm-form', noValidate: true }, [input, mode, size, color, palette, send, error]);
  form.classList.add('dm-compose');
  container.replaceChildren(form);

  let enabled = true;
  let busy = false;
  const sync = () => {
    input.disabled = !enabled;
    send.disabled = !enabled || busy;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!enabled || busy) return;
    const v = validateDraft({ text: input.value, mode: mode.value, color: color.value, size: size.value });
    if (!v.ok) {
      error.textContent = v.message;
      return;
    }
    error.textContent = '';
    busy = true;
    sync();
    const sending = onSend(v.draft);
    input.value = '';
    busy = false;
    sync();
    input.focus();
    try {
      await sending;
    } catch (err) {
      error.textContent = errorMessage(err);
    }
  });
  return {
    /** Enables or disables sending (e.g. while disconnected). */
    setEnabled(on) {
      enabled = !!on;
      sync();
    },
    /** Shows a message under the bar. */
    setError(msg) {
      error.textContent = msg || '';
    },
    /** Focuses the text input. */
    focus() {
      input.focus();
    },
    form,
  };
}
