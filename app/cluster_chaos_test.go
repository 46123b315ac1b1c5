package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/internal/redistest"
)

// finish stops the senders and roamers once every roamer has the room's
// last seq, and fails on any gap or duplicate a roamer saw.
func finish(t *testing.T, base, room string, senders []*restSender, roamers []*roamer) int64 {
	t.Helper()
	acked := int64(0)
	for _, s := range senders {
		s.stop()
		acked += s.acked.Load()
	}
	last := lastSeq(t, base, room)
	if last < acked {
		t.Fatalf("last_seq %d, but %d comments were acked", last, acked)
	}
	for _, r := range roamers {
		r.waitFor(t, last)
	}
	for _, r := range roamers {
		if faults := r.stop(); len(faults) > 0 {
			t.Errorf("%s: %v", r.name, faults)
		}
	}
	stored := afterSeqAll(t, base, room)
	if int64(len(stored)) != last {
		t.Errorf("%d comments stored, last_seq %d: a gap in the store", len(stored), last)
	}
	return last
}

// startLoad puts viewers roamers in room live, spread over the nodes, and
// a REST sender on every node, and waits until comments flow.
func startLoad(t *testing.T, bases []string, viewers int) ([]*roamer, []*restSender) {
	t.Helper()
	var roamers []*roamer
	for i := range viewers {
		roamers = append(roamers, startRoamer(t, fmt.Sprintf("viewer %d (first on node %d)", i, i%len(bases)), "live", bases, i%len(bases)))
	}
	var senders []*restSender
	for i := range bases {
		senders = append(senders, startSender(t, "live", bases, i, 5*time.Millisecond))
	}
	waitUntil(t, "comments to flow", func() bool { return lastSeq(t, bases[0], "live") > 50 })
	return roamers, senders
}

// afterSeqAll reads every comment of a room over REST, page by page.
func afterSeqAll(t *testing.T, base, room string) []int64 {
	t.Helper()
	var seqs []int64
	for after := int64(0); ; {
		var page struct {
			Comments []struct{ Seq int64 }
		}
		call(t, httpClient(t), "GET", fmt.Sprintf("%s/api/rooms/%s/comments?after_seq=%d&limit=1000", base, room, after), nil, &page)
		if len(page.Comments) == 0 {
			return seqs
		}
		for _, c := range page.Comments {
			seqs = append(seqs, c.Seq)
			after = c.Seq
		}
	}
}

// TestClusterNodeKilled kills one of three node processes with SIGKILL
// under load: its viewers join another node with since= and end with
// every comment once, in order.
func TestClusterNodeKilled(t *testing.T) {
	rd := redistest.Start(t)
	db := apptest.PostgresDB(t)
	var nodes []*apptest.Process
	var bases []string
	for range 3 {
		p := apptest.SpawnWith(t, t.TempDir(), "127.0.0.1:0", apptest.SpawnOptions{Args: []string{"-db", db, "-redis", rd.URL()}})
		nodes = append(nodes, p)
		bases = append(bases, p.URL())
	}
	apptest.CreateRoom(t, bases[0], "live", "live")
	roamers, senders := startLoad(t, bases, 6)
	nodes[1].Kill(t)
	before := lastSeq(t, bases[0], "live")
	waitUntil(t, "comments to flow after the kill", func() bool { return lastSeq(t, bases[0], "live") > before+100 })
	finish(t, bases[0], "live", senders, roamers)
	moved := 0
	for _, r := range roamers {
		if r.reconnects > 0 {
			moved++
		}
	}
	if moved < 2 {
		t.Errorf("%d viewers reconnected; the killed node's two should have", moved)
	}
}

// TestClusterRedisRestarted kills Redis under load and starts it again:
// delivery goes on over the database meanwhile and over Redis after.
func TestClusterRedisRestarted(t *testing.T) {
	cl := startCluster(t, 3)
	var bases []string
	for _, n := range cl.nodes {
		bases = append(bases, n.URL())
	}
	createRoom(t, cl.nodes[0], "live", "live")
	roamers, senders := startLoad(t, bases, 6)
	cl.redis.Kill()
	waitUntil(t, "the nodes to see redis down", func() bool { return readyzRedis(t, cl.nodes[2]) != "ok" })
	during := lastSeq(t, bases[0], "live") + 100
	waitUntil(t, "comments to flow without redis", func() bool { return lastSeq(t, bases[0], "live") > during })
	for _, r := range roamers {
		r.waitFor(t, during) // delivered over the database
	}
	cl.redis.Restart()
	waitUntil(t, "the nodes to see redis back", func() bool { return readyzRedis(t, cl.nodes[2]) == "ok" })
	after := lastSeq(t, bases[0], "live") + 100
	waitUntil(t, "comments to flow with redis back", func() bool { return lastSeq(t, bases[0], "live") > after })
	finish(t, bases[0], "live", senders, roamers)
	for _, r := range roamers {
		if r.reconnects > 0 {
			t.Errorf("%s reconnected %d times: a Redis outage must not drop viewers", r.name, r.reconnects)
		}
	}
}

// TestClusterPostgresRestarted stops PostgreSQL with pg_ctl -m immediate
// under load and starts it again: senders meanwhile get unavailable,
// /readyz answers 503, and afterwards every acked comment is stored and
// last_seq equals the number stored.
func TestClusterPostgresRestarted(t *testing.T) {
	pg, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		if err == pgtest.ErrNoPostgres {
			pgtest.Shared(t) // skips, or fails in CI
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	name, err := pg.CreateDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rd := redistest.Start(t)
	var nodes []*testServer
	var bases []string
	for range 2 {
		cfg := testConfig(t, t.TempDir())
		cfg.DBPath, cfg.Redis = pg.URL(name), rd.URL()
		nodes = append(nodes, startWith(t, cfg))
		bases = append(bases, nodes[len(nodes)-1].URL())
	}
	createRoom(t, nodes[0], "live", "live")
	roamers, senders := startLoad(t, bases, 4)
	if err := pg.Crash(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "/readyz to answer 503", func() bool { return readyStatus(t, bases[1]) == http.StatusServiceUnavailable })
	failed := senders[0].failed.Load()
	waitUntil(t, "senders to be refused", func() bool { return senders[0].failed.Load() > failed+3 })
	if err := pg.Restart(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "/readyz to answer 200", func() bool { return readyStatus(t, bases[1]) == http.StatusOK })
	after := lastSeq(t, bases[0], "live") + 100
	waitUntil(t, "comments to flow again", func() bool { return lastSeq(t, bases[0], "live") > after })
	finish(t, bases[0], "live", senders, roamers)
	for _, s := range senders {
		s.codes.Range(func(code, _ any) bool {
			if fmt.Sprint(code) != "unavailable" {
				t.Errorf("a sender was refused with %q during the outage; want unavailable", code)
			}
			return true
		})
	}
}

// readyStatus returns /readyz's status on base (0 when it does not answer).
func readyStatus(t *testing.T, base string) int {
	t.Helper()
	resp, err := httpClient(t).Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
