package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/internal/redistest"
	"github.com/danmaku/danmaku/app/protocol"
)

// testCluster is n nodes in this process on one database and one Redis.
type testCluster struct {
	redis *redistest.Server
	nodes []*testServer
}

// startCluster starts a Redis and n nodes sharing one database.
func startCluster(t *testing.T, n int, tweak ...func(*app.Config)) *testCluster {
	t.Helper()
	c := &testCluster{redis: redistest.Start(t)}
	db := clusterDB(t)
	for range n {
		cfg := testConfig(t, t.TempDir())
		cfg.DBPath, cfg.Redis = db, c.redis.URL()
		for _, f := range tweak {
			f(&cfg)
		}
		c.nodes = append(c.nodes, startWith(t, cfg))
	}
	return c
}

// clusterDB is the PostgreSQL database the nodes share (the test skips
// when PostgreSQL is not installed, unless CI=true).
func clusterDB(t *testing.T) string {
	t.Helper()
	return apptest.PostgresDB(t)
}

// collect reads comments frames from c until it holds the comments up to
// seq last, and fails unless they are 1..last (after since), each once,
// in order.
func collect(t *testing.T, c *wsClient, name string, since, last int64) {
	t.Helper()
	next := since + 1
	for next <= last {
		f := c.nextSkipping(protocol.TypeComments, protocol.TypePresence, protocol.TypeLikes, protocol.TypeWeights, protocol.TypeAck)
		for _, it := range f.Items {
			if it.Seq != next {
				t.Fatalf("%s: got seq %d, want %d (a gap, a duplicate or a reordering)", name, it.Seq, next)
			}
			next++
		}
	}
}

// viewersOf returns a room's viewer count over REST from node s.
func viewersOf(t *testing.T, s *testServer, room string) int {
	t.Helper()
	var r struct{ Viewers int }
	if st := call(t, httpClient(t), "GET", s.URL()+"/api/rooms/"+room, nil, &r); st != http.StatusOK {
		t.Fatalf("GET room: %d", st)
	}
	return r.Viewers
}

func nodeName(i int) string { return fmt.Sprintf("node %c", 'A'+i) }

// noMoreComments fails if a comments frame reaches c within d (acks and
// counts may).
func noMoreComments(t *testing.T, c *wsClient, name string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-c.frames:
			if f.Type == protocol.TypeComments {
				t.Fatalf("%s: a duplicate comments frame, seqs %d–%d", name, f.Items[0].Seq, f.Items[len(f.Items)-1].Seq)
			}
		case <-deadline:
			return
		}
	}
}
