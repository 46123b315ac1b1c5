// Page script for /rooms/:id/replay: a live room's comments replayed by
// video time from the REST API, without a live connection.

import { setupPlayer } from './common.js';

// The room may still be receiving comments: windows older than five minutes
// are fetched again when the playhead comes back to them.
setupPlayer({ client: null, loadWindows: true, maxAge: 5 * 60 * 1000 });
