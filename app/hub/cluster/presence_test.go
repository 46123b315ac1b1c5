package cluster_test

import (
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub/cluster"
	"github.com/danmaku/danmaku/app/internal/redistest"
)

// TestPresence counts viewers over three nodes: a node that closes stops
// counting at once, one that goes silent (its Redis connection gone, as
// when it is killed) within NodeTTL; a room with viewers here hears of
// every change as a presence message.
func TestPresence(t *testing.T) {
	srv := redistest.Start(t)
	st := newMemStore()
	opts := cluster.Options{NodeTTL: 600 * time.Millisecond}
	a, b := newBroker(t, st, srv.URL(), opts), newBroker(t, st, srv.URL(), opts)
	silent, err := cluster.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	copts := opts
	copts.Redis, copts.Store = silent, st
	c, err := cluster.New(copts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, n := range []*cluster.Broker{a, b, c} {
		waitReady(t, n)
	}
	ra := newRecorder()
	if _, err := a.Subscribe("r", ra.deliver); err != nil {
		t.Fatal(err)
	}
	a.NoteViewers("r", 1)
	b.NoteViewers("r", 2)
	c.NoteViewers("r", 4)
	total := func(n *cluster.Broker, local int) func() bool {
		return func() bool { return n.Viewers("r", 0) == 7-local }
	}
	waitFor(t, "a to count 7", func() bool { return a.Viewers("r", 1) == 7 })
	waitFor(t, "b to count 7", total(b, 2))
	waitFor(t, "c to count 7", total(c, 4))
	ra.wait(t, "a presence message", func(r *recorder) bool { return r.presence > 0 })

	b.Close()
	waitFor(t, "a to drop b's viewers at once", func() bool { return a.Viewers("r", 1) == 5 })
	silent.Close() // c stops sending heartbeats
	waitFor(t, "a to drop c's viewers", func() bool { return a.Viewers("r", 1) == 1 })
}
