// A tiny in-browser test harness: check(name, fn) registers a check;
// window.runTests() runs them in order and resolves with [{name, ok, error}].

const checks = [];

/** Registers a named check; fn may be async, fails by throwing, and may return a note to log. */
export function check(name, fn) {
  checks.push({ name, fn });
}

/** Throws with `msg` unless cond is truthy. */
export function assert(cond, msg) {
  if (!cond) throw new Error(msg || 'assertion failed');
}

/** Throws unless a === b. */
export function equal(a, b, msg) {
  if (a !== b) throw new Error(`${msg || 'not equal'}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`);
}

/** Resolves after the next n animation frames. */
export function frames(n = 1) {
  return new Promise((resolve) => {
    const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  });
}

/** Resolves once pred() is true, polling each frame; rejects after `ms`. */
export function until(pred, ms = 15000, what = 'condition') {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const step = () => {
      let v;
      try {
        v = pred();
      } catch (e) {
        return reject(e);
      }
      if (v) return resolve(v);
      if (performance.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      requestAnimationFrame(step);
    };
    step();
  });
}

window.runTests = async () => {
  const out = [];
  if (window.loadError) out.push({ name: 'page load', ok: false, error: window.loadError });
  for (const c of checks) {
    try {
      const note = await c.fn();
      out.push({ name: c.name, ok: true, error: '', note: typeof note === 'string' ? note : '' });
    } catch (e) {
      out.push({ name: c.name, ok: false, error: String(e && e.stack ? e.stack : e), note: '' });
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // violation events are queued tasks
  out.push({ name: 'no CSP violations', ok: violations.length === 0, error: violations.join('; '), note: '' });
  return out;
};
// The pages run under a strict CSP (no inline script or style); any
// violation by the modules under test fails the run.
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});

window.addEventListener('error', (e) => {
  window.loadError = `${e.message} (${e.filename}:${e.lineno})`;
});
