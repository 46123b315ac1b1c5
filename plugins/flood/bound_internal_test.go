package flood

import (
	"fmt"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func TestMemoryStaysBounded(t *testing.T) {
	h := plugintest.NewHost(t)
	g := plugintest.New(t, New, "{max_keys: 64, crowd_max: 2, crowd_min_length: 1}", h).(*Guard)
	for i := range 5000 {
		h.Clock.Advance(time.Millisecond) // all within the windows: nothing idles out
		c := plugintest.Comment(fmt.Sprint("text number ", i))
		c.User.ID = fmt.Sprint("u", i%7)
		if v, err := g.Moderate(t.Context(), c); err != nil || v.Action != plugins.ActionAllow {
			t.Fatalf("comment %d: %v %v", i, v.Action, err)
		}
	}
	for name, n := range map[string]int{"repeats": g.repeats.Len(), "crowds": g.crowds.Len()} {
		if n > 64+16 {
			t.Errorf("%s holds %d keys, want at most about 64", name, n)
		}
	}
}
