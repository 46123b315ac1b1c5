package client_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// countingTransport counts the REST calls the client makes.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestGapIsFilled: after a long absence the server's catch-up stops at
// -catchup-limit with a gap frame; the client fetches the rest over REST
// and delivers the whole run once, in order, before the live stream.
func TestGapIsFilled(t *testing.T) {
	s := apptest.Start(t, func(cfg *app.Config) { cfg.CatchupLimit = 5 })
	apptest.CreateRoom(t, s.URL(), "busy", "live")
	gate := newNetGate()
	rest := &countingTransport{}
	c := dial(t, s.URL(), client.WithDialer(gate.dialer()), client.WithHTTPClient(&http.Client{Transport: rest}), fastRetry)
	w := join(t, c, "busy")

	gate.hold()
	gate.cut()
	gate.waitDial(t)
	const missed = 12
	for i := range missed {
		post(t, s.URL(), "busy", fmt.Sprintf("missed %d", i))
	}
	gate.release()
	got, _ := comments(t, c, "busy", missed)
	live := post(t, s.URL(), "busy", "live again")
	got = append(got, live)
	if more, _ := comments(t, c, "busy", 1); more[0].ID != live.ID {
		t.Errorf("after the gap came %s, want %q", texts(more), live.Text)
	}
	for i, cm := range got {
		if cm.Seq != w.LastSeq+1+int64(i) {
			t.Fatalf("delivered %s: want seqs %d to %d, each once", texts(got), w.LastSeq+1, w.LastSeq+missed+1)
		}
	}
	if rest.n.Load() == 0 {
		t.Error("no REST call: the gap was not what delivered the rest")
	}
}
