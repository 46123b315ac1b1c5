package wasm_test

import (
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
)

// TestShoutExamples runs both examples, Go and AssemblyScript, through the
// same table: they must agree.
func TestShoutExamples(t *testing.T) {
	for _, ex := range []struct {
		name   string
		module func(testing.TB) string
	}{{"go", shoutGo}, {"assemblyscript", shoutAS}} {
		t.Run(ex.name, func(t *testing.T) {
			module := ex.module(t)
			t.Run("default min_length 8", func(t *testing.T) {
				p := plugintest.New(t, wasm.New, block(module, ""), nil)
				plugintest.Run(t, p, []plugintest.Case{
					{Name: "shouting", Text: "STOP THE VIDEO", Want: plugins.ActionReject, WantReason: "please don't shout"},
					{Name: "quiet", Text: "stop the video"},
					{Name: "mixed", Text: "Stop The Video"},
					{Name: "short capitals", Text: "OMG WOW"},
					{Name: "nine capitals", Text: "OMGWOWYES", Want: plugins.ActionReject},
					{Name: "digits and symbols only", Text: "2333333333!!!"},
					{Name: "Chinese has no capitals", Text: "前方高能前方高能前方高能"},
					{Name: "capitals with Chinese", Text: "FIRST TIME 第一次看", Want: plugins.ActionReject},
					{Name: "accented capitals", Text: "ÇA VA TRÈS BIEN", Want: plugins.ActionReject},
					{Name: "runes, not bytes", Text: "ÉÉÉÉ"},
				})
			})
			t.Run("settings: min_length 3", func(t *testing.T) {
				p := plugintest.New(t, wasm.New, block(module, "settings: {min_length: 3}"), nil)
				plugintest.Run(t, p, []plugintest.Case{
					{Name: "short capitals now shout", Text: "OMG WOW", Want: plugins.ActionReject, WantReason: "please don't shout"},
					{Name: "three is not more than three", Text: "OMG"},
					{Name: "quiet", Text: "omg wow"},
				})
			})
			t.Run("settings refused", func(t *testing.T) {
				err := plugintest.ConfigError(t, wasm.New, block(module, "settings: {min_length: lots}"), nil)
				if !strings.Contains(err.Error(), "refused its settings") || !strings.Contains(err.Error(), "min_length must be") {
					t.Errorf("error %q, want the module's reason for refusing min_length", err)
				}
			})
		})
	}
}
