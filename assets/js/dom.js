// Element helpers for the modules that build markup. Text always goes in as
// textContent (a prop), never as HTML; styles only through the CSSOM, so
// the pages work under a strict CSP.

/**
 * A new `tag` element of `doc`: each prop is set as a property when the
 * element has one (textContent, className, type, disabled…), else as an
 * attribute (aria-*, role); `dataset` is merged into the data attributes.
 * `children` (nodes or strings) are appended.
 */
export function el(doc, tag, props = {}, children = []) {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** The element with `id`, or null; used for optional parts of the markup. */
export function byId(id, doc = document) {
  return doc.getElementById(id);
}

/** The element with `id`, throwing a clear error when the markup lacks it. */
export function requireId(id, doc = document) {
  const e = doc.getElementById(id);
  if (!e) throw new Error(`danmaku: the page needs an element with id="${id}"`);
  return e;
}
