// Stand-ins shared by the socket tests: a WebSocket and timers the test drives.

// A controllable stand-in for the browser WebSocket.
export class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(data) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close() { this.readyState = 3; }
  // test helpers
  open() { this.readyState = 1; this.onopen?.({}); }
  receive(msg) { this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) }); }
  drop(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
}

// Manual timers: nothing fires until the test advances the clock.
export class FakeTimers {
  constructor() { this.now = 0; this.seq = 0; this.list = new Map(); }
  setTimeout = (fn, ms) => { const id = ++this.seq; this.list.set(id, { at: this.now + ms, fn }); return id; };
  clearTimeout = (id) => { this.list.delete(id); };
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.list) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      this.list.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
  pending() { return [...this.list.values()].map((t) => t.at - this.now).sort((a, b) => a - b); }
}
