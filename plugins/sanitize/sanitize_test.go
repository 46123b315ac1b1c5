package sanitize_test

import (
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/sanitize"
)

func TestSanitize(t *testing.T) {
	p := plugintest.New(t, sanitize.New, "max_length: 10", nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "clean text passes", Text: "hello 世界", Want: plugins.ActionAllow},
		{Name: "zero-width space stripped", Text: "b\u200bad", Want: plugins.ActionRewrite, WantText: "bad"},
		{Name: "bidi override stripped", Text: "\u202Egnp.exe\u202C", Want: plugins.ActionRewrite, WantText: "gnp.exe"},
		{Name: "isolates and BOM stripped", Text: "\ufeff\u2066hi\u2069", Want: plugins.ActionRewrite, WantText: "hi"},
		{Name: "whitespace collapsed and trimmed", Text: "  a \t\n b\u3000 ", Want: plugins.ActionRewrite, WantText: "a b"},
		{Name: "control characters dropped", Text: "a\x00b\x07", Want: plugins.ActionRewrite, WantText: "ab"},
		{Name: "all whitespace rejected", Text: " \u3000\t ", Want: plugins.ActionReject, WantReason: "empty"},
		{Name: "invisible only rejected", Text: "\u200b\u200d\ufeff", Want: plugins.ActionReject, WantReason: "empty"},
		{Name: "hangul filler is blank", Text: "\u3164\u3164", Want: plugins.ActionReject, WantReason: "empty"},
		{Name: "symbols only rejected", Text: "!!!???", Want: plugins.ActionReject, WantReason: "letter or digit"},
		{Name: "emoji are content", Text: "😂😂", Want: plugins.ActionAllow},
		{Name: "emoji ZWJ sequence kept", Text: "👨\u200d👩\u200d👧", Want: plugins.ActionAllow},
		{Name: "ZWJ between letters stripped", Text: "a\u200db", Want: plugins.ActionRewrite, WantText: "ab"},
		{Name: "zalgo trimmed", Text: "e\u0301\u0302\u0303\u0304", Want: plugins.ActionRewrite, WantText: "e\u0301\u0302"},
		{Name: "too long", Text: "12345678901", Want: plugins.ActionReject, WantReason: "too long: 11 characters, at most 10"},
		{Name: "length counts runes not bytes", Text: "一二三四五六七八九十", Want: plugins.ActionAllow},
		{Name: "length after cleaning", Text: "1234567890\u200b\u200b", Want: plugins.ActionRewrite, WantText: "1234567890"},
	})
}

func TestOptions(t *testing.T) {
	p := plugintest.New(t, sanitize.New, "{min_length: 3, reject_symbols_only: false, emoji_are_content: false, max_combining: 0}", nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "too short", Text: "ab", Want: plugins.ActionReject, WantReason: "at least 3"},
		{Name: "symbols allowed", Text: "???", Want: plugins.ActionAllow},
		{Name: "marks removed", Text: "cafe\u0301", Want: plugins.ActionRewrite, WantText: "cafe"},
	})
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, sanitize.New, []plugintest.ConfigCase{
		{Name: "min below 1", Config: "min_length: 0", Want: "min_length: must be at least 1"},
		{Name: "max below min", Config: "{min_length: 5, max_length: 4}", Want: "max_length: must be at least min_length"},
		{Name: "negative marks", Config: "max_combining: -1", Want: "max_combining: must not be negative"},
		{Name: "unknown", Config: "max_len: 3", Want: "max_len: unknown field"},
	})
}
