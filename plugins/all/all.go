// Package all registers every built-in moderation plugin. The server's
// main package imports it for its side effects:
//
//	import _ "github.com/danmaku/danmaku/plugins/all"
//
// Third-party plugins are added the same way, with a blank import of
// their package next to this one.
package all

import (
	_ "github.com/danmaku/danmaku/plugins/blocklist"  // blocklist: bans, at the door too
	_ "github.com/danmaku/danmaku/plugins/flood"      // flood: repeats, copy-paste waves, long runs
	_ "github.com/danmaku/danmaku/plugins/links"      // links: URLs unless allow-listed
	_ "github.com/danmaku/danmaku/plugins/nospoilers" // nospoilers: holds early spoilers
	_ "github.com/danmaku/danmaku/plugins/ratelimit"  // ratelimit: per user, per IP, slow mode
	_ "github.com/danmaku/danmaku/plugins/rules"      // rules: no-code rules (keywords, regex, caps, repeats, links, length)
	_ "github.com/danmaku/danmaku/plugins/sanitize"   // sanitize: invisible characters, whitespace, length
	_ "github.com/danmaku/danmaku/plugins/wasm"       // wasm: a sandboxed WebAssembly module
	_ "github.com/danmaku/danmaku/plugins/webhook"    // webhook: an HTTP service decides
	_ "github.com/danmaku/danmaku/plugins/wordfilter" // wordfilter: masks or rejects listed words
)
