// Package hostile lists comment texts an attacker might send, for tests
// that check every layer stores and returns them verbatim.
package hostile

// Text is one hostile comment and what it tries.
type Text struct {
	Name string
	Text string
	// Bidi marks texts with bidirectional controls, which the default
	// moderation chain's sanitize plugin strips: they come back verbatim
	// only below the plugins (or with an empty chain).
	Bidi bool
}

// Texts are valid comments (well-formed UTF-8, no control characters) that
// must come back byte for byte: never executed, escaped twice or broken.
var Texts = []Text{
	{"sql quote", `'; DROP TABLE comments; --`, false},
	{"sql union", `" UNION SELECT token, secret FROM users --`, false},
	{"sql comment and semicolon", `1; DELETE FROM rooms /* */`, false},
	{"sql like wildcards", `%_%\%`, false},
	{"html script", `<script>alert(document.cookie)</script>`, false},
	{"html attribute", `"><img src=x onerror=alert(1)>`, false},
	{"template syntax", `{{.Secret}} ${7*7} <%= 7*7 %>`, false},
	{"json breakers", `","type":"admin","x":"\u0000`, false},
	{"4-byte emoji", "😀🎉👍🏽🀄𝕏", false},
	{"zwj family", "👨‍👩‍👧‍👦 and 🏳️‍🌈", false},
	{"cjk and astral cjk", "弹幕𠀋𩸽", false},
	{"combining marks", "Z̴̡̛a̶l̷g̵o̸ text", false},
	{"line separators", "a\u2028b\u2029c", false},
	{"rtl override", "evil\u202Etxt.exe", true},
	{"bidi isolates", "\u2066abc\u2069 \u2067def\u2069", true},
	{"rtl mark", "\u200Fright\u200E left", true},
}

// Invalid are frames and bodies that are not valid Unicode, which must be
// refused with a clear error rather than stored with replacement characters.
var Invalid = []Text{
	{"invalid utf-8 byte", "{\"type\":\"comment\",\"ref\":\"x\",\"text\":\"a\xffb\"}", false},
	{"overlong encoding", "{\"type\":\"comment\",\"ref\":\"x\",\"text\":\"\xc0\xaf\"}", false},
	{"utf-8 encoded surrogate", "{\"type\":\"comment\",\"ref\":\"x\",\"text\":\"\xed\xa0\x80\"}", false},
	{"lone high surrogate escape", `{"type":"comment","ref":"x","text":"a\ud800b"}`, false},
	{"lone low surrogate escape", `{"type":"comment","ref":"x","text":"\udc00"}`, false},
	{"reversed surrogate escapes", `{"type":"comment","ref":"x","text":"\udc00\ud800"}`, false},
}
