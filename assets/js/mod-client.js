// The moderators' live connection, GET /ws/admin (docs/protocol.md,
// "Moderator socket"), on a reconnecting socket (socket.js). Actions go
// over REST (api.js); this client only follows what changes.
//
// Events:
//   state    (state, info)  as socket.js; a refusal (1008: the role or the
//                           session is gone) ends in 'closed', info.code 1008
//   snapshot (msg)          {user, held, recent, bans, stats}: first on every
//                           connect, and after refresh()
//   comments (items, msg)   comments stored or changed; when the server left
//                           some out (msg.dropped) the client asks for a snapshot
//   bans     (list)         the bans in force
//   stats    (stats)        the plugin counters
//   live     (live)         {modes, terms, actions}: room modes, blocked terms
//                           and user actions, after a change
//   error    (err)          {code, message}: an error frame from the server

import { SocketClient, socketURL } from './socket.js';

/**
 * Creates the client (not yet connected). url: the endpoint (default
 * /ws/admin on the page's host, ws: or wss: to match); location: the
 * page's; the other options (backoff, connectTimeout, WebSocket, timers,
 * random) as createSocket's.
 */
export function createModClient({ url = '/ws/admin', location: loc = globalThis.location, ...socketOpts } = {}) {
  return new ModClient({ ...socketOpts, url: socketURL(url, loc).toString() });
}

class ModClient extends SocketClient {
  /** Asks for a new snapshot (e.g. when an action lost a race with another moderator). */
  refresh() {
    return this.socket.send({ type: 'refresh' });
  }

  /** Handles one frame of the moderators' protocol. */
  onFrame(m) {
    switch (m.type) {
      case 'snapshot':
        // The server accepted this moderator: reconnects start short again.
        this.socket.resetBackoff();
        this.emit('snapshot', m);
        break;
      case 'comments':
        this.emit('comments', Array.isArray(m.items) ? m.items : [], m);
        if (m.dropped > 0) this.refresh();
        break;
      case 'bans':
        this.emit('bans', Array.isArray(m.bans) ? m.bans : []);
        break;
      case 'stats':
        this.emit('stats', m.stats ?? null);
        break;
      case 'live':
        this.emit('live', m);
        break;
      case 'error':
        this.emit('error', { code: m.code, message: m.message });
        break;
      default:
        break;
    }
  }
}
