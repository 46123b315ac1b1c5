// The viewer settings panel (DOM), bound to a settings store
// (createSettingsStore, settings.js).
// Every control has an id "dm-set-<name>" for tests and styling.

import { AREAS, DENSITIES } from './settings.js';
import { el } from './dom.js';

const AREA_LABELS = { 0.25: '¼', 0.5: '½', 0.75: '¾', 1: 'Full' };
const DENSITY_LABELS = { low: 'Low (drop when full)', normal: 'Normal', high: 'High (wait longer)' };

/** Builds the settings form inside `container` and keeps it in sync with `store`. Returns an unmount function. */
export function mountSettingsPanel(container, store) {
  const doc = container.ownerDocument;
  const form = el(doc, 'form', { className: 'dm-settings', id: 'dm-settings-form', noValidate: true });
  const row = (label, control) => {
    const l = el(doc, 'label', { htmlFor: control.id, textContent: label });
    form.append(l, control);
    return control;
  };
  const check = (name, label) => {
    const box = el(doc, 'input', { type: 'checkbox', id: `dm-set-${name}`, name });
    const l = el(doc, 'label', { htmlFor: box.id });
    l.append(box, ` ${label}`);
    return { box, label: l };
  };
  const range = (name, min, max, step) => el(doc, 'input', { type: 'range', id: `dm-set-${name}`, name, min, max, step });
  const select = (name, options) => {
    const s = el(doc, 'select', { id: `dm-set-${name}`, name });
    for (const [value, text] of options) s.append(el(doc, 'option', { value: String(value), textContent: text }));
    return s;
  };

  const visible = check('visible', 'Show comments');
  const merge = check('merge', 'Merge duplicates');
  const top = form.appendChild(el(doc, 'fieldset', {}));
  top.append(visible.label, merge.label);
  const opacity = row('Opacity', range('opacity', 0.1, 1, 0.05));
  const fontScale = row('Font size', range('fontScale', 0.5, 2, 0.05));
  const speed = row('Speed', range('speed', 0.5, 2, 0.1));
  const area = row('Display area', select('area', AREAS.map((a) => [a, AREA_LABELS[a]])));
  const density = row('Density', select('density', DENSITIES.map((d) => [d, DENSITY_LABELS[d]])));
  const hide = form.appendChild(el(doc, 'fieldset', {}));
  hide.append(el(doc, 'legend', { textContent: 'Hide' }));
  const hideBoxes = {};
  for (const [m, text] of [['scroll', 'scrolling'], ['top', 'top'], ['bottom', 'bottom']]) {
    const c = check(`hide-${m}`, text);
    hideBoxes[m] = c.box;
    hide.append(c.label);
  }
  const keywords = row(
    'Blocked words',
    el(doc, 'textarea', { id: 'dm-set-keywords', name: 'keywords', placeholder: 'one per line; /regexp/ allowed', rows: 3 }),
  );
  const reset = el(doc, 'button', { type: 'button', id: 'dm-set-reset', textContent: 'Reset' });
  form.append(reset);
  container.replaceChildren(form);

  const render = (s) => {
    visible.box.checked = s.visible;
    merge.box.checked = s.merge;
    opacity.value = String(s.opacity);
    fontScale.value = String(s.fontScale);
    speed.value = String(s.speed);
    area.value = String(s.area);
    density.value = s.density;
    for (const m of Object.keys(hideBoxes)) hideBoxes[m].checked = s.hideModes[m];
    if (doc.activeElement !== keywords) keywords.value = s.blockedKeywords.join('\n');
  };
  render(store.get());

  const on = (elm, type, fn) => elm.addEventListener(type, fn);
  on(visible.box, 'change', () => store.update({ visible: visible.box.checked }));
  on(merge.box, 'change', () => store.update({ merge: merge.box.checked }));
  on(opacity, 'input', () => store.update({ opacity: Number(opacity.value) }));
  on(fontScale, 'change', () => store.update({ fontScale: Number(fontScale.value) }));
  on(speed, 'change', () => store.update({ speed: Number(speed.value) }));
  on(area, 'change', () => store.update({ area: Number(area.value) }));
  on(density, 'change', () => store.update({ density: density.value }));
  for (const [m, box] of Object.entries(hideBoxes)) on(box, 'change', () => store.update({ hideModes: { [m]: box.checked } }));
  on(keywords, 'change', () => store.update({ blockedKeywords: keywords.value.split('\n') }));
  on(reset, 'click', () => store.reset());
  form.addEventListener('submit', (e) => e.preventDefault());
  const off = store.on('change', render);
  return () => {
    off();
    form.remove();
  };
}
