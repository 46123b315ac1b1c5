// Page script for /rooms/:id/replay: a live room's comments replayed by
// video time from the REST API, without a live connection.

import { setupPlayer } from './common.js';

setupPlayer({ client: null, loadWindows: true });
