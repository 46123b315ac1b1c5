package nospoilers_test

import (
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/nospoilers"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// at returns a comment with text made sec seconds into the video.
func at(sec float64, text string) plugins.Comment {
	c := plugintest.Comment(text)
	c.Time = sec
	return c
}

func TestGuard(t *testing.T) {
	p := plugintest.New(t, nospoilers.New, `{words: ["Snape", "dies"], window: 5m}`, nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "spoiler early is held", In: at(30, "snape kills him"), Want: plugins.ActionHold, WantReason: "first 5m0s"},
		{Name: "case and width folded", In: at(30, "ＳＮＡＰＥ!"), Want: plugins.ActionHold},
		{Name: "second word", In: at(299, "he DIES at the end"), Want: plugins.ActionHold},
		{Name: "after the window passes", In: at(300, "snape kills him"), Want: plugins.ActionAllow},
		{Name: "no spoiler", In: at(10, "great opening"), Want: plugins.ActionAllow},
	})
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, nospoilers.New, []plugintest.ConfigCase{
		{Name: "no words", Config: `{}`, Want: "words: list at least one"},
		{Name: "bad window", Config: `{words: [x], window: -1s}`, Want: "window: must be positive"},
		{Name: "empty word", Config: `{words: [x, " "]}`, Want: "words[1]: is empty"},
		{Name: "unknown field", Config: `{words: [x], windw: 1m}`, Want: "windw: unknown field"},
	})
}
