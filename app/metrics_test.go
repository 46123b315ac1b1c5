package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/metrics/metricstest"
	"github.com/danmaku/danmaku/app/protocol"
)

// scrape reads the server's /metrics as Prometheus would.
func scrape(t *testing.T, s *testServer) metricstest.Families {
	t.Helper()
	return metricstest.Scrape(t, s.MetricsURL())
}

// scrapeUntil scrapes until ok holds (counters the fan-out or the writer
// update just after a client sees their effect), or fails after waitFor.
func scrapeUntil(t *testing.T, s *testServer, what string, ok func(metricstest.Families) bool) metricstest.Families {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		mf := scrape(t, s)
		if ok(mf) {
			return mf
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until the socket has handled everything it was sent so far
// (its join included): frames are handled in order, so a pong comes last.
func (c *wsClient) settle() {
	c.t.Helper()
	c.send(map[string]string{"type": "ping", "ref": "settle"})
	c.next(protocol.TypePong)
}

// TestMetricsAfterRealTraffic drives sockets, comments of every outcome,
// likes and REST calls through a real server, then reads /metrics.
func TestMetricsAfterRealTraffic(t *testing.T) {
	s := startServer(t, withPlugins(t, `plugins:
  - {name: blocklist, config: {action: shadow}}
  - {name: wordfilter, config: {words: [badword], action: reject}}
  - {name: nospoilers, config: {words: [rosebud]}}`))
	mod := clientAs(t, s, mod1)
	if status := call(t, mod, "POST", s.URL()+"/api/admin/bans", map[string]any{"user_id": troll.ID, "reason": "spam"}, nil); status != http.StatusCreated {
		t.Fatalf("ban: status %d", status)
	}
	sender, viewer := pair(t, s, "demo")
	shadowed := dialAs(t, s, "?room=demo", troll)
	shadowed.next(protocol.TypeWelcome)
	modSocket(t, s, mod1)
	for _, c := range []*wsClient{sender, viewer, shadowed} {
		c.settle()
	}

	// Over the socket: 3 accepted, one rejected, one held, one invalid,
	// one for a room the socket is not in, one shadowed.
	for i := range 3 {
		if ack := sender.say(fmt.Sprint("ok", i), fmt.Sprint("comment ", i)); !ack.OK {
			t.Fatalf("comment %d: %+v", i, ack.Error)
		}
	}
	for _, tc := range []struct{ ref, text, room, code string }{
		{"bad", "a badword here", "", "rejected"},
		{"held", "rosebud was the sled", "", "held"},
		{"empty", "", "", "invalid"},
		{"elsewhere", "hi", "lobby", "forbidden"},
	} {
		sender.send(map[string]any{"type": "comment", "ref": tc.ref, "text": tc.text, "room": tc.room, "time": 1.5})
		if ack := sender.ack(); ack.OK || ack.Error == nil || string(ack.Error.Code) != tc.code {
			t.Fatalf("%s: ack %+v %+v, want %s", tc.ref, ack, ack.Error, tc.code)
		}
	}
	if ack := shadowed.say("s", "buy followers"); !ack.OK {
		t.Fatalf("shadowed comment: %+v", ack.Error)
	}
	sender.send(map[string]any{"type": "like", "ref": "like"})
	if ack := sender.ack(); !ack.OK {
		t.Fatalf("like: %+v", ack.Error)
	}

	// Over REST: one accepted, one malformed; a like; a read; an unknown
	// path; a bad token.
	hc := httpClient(t)
	var stored protocol.Comment
	if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", map[string]any{"text": "over rest", "time": 2}, &stored); status != http.StatusCreated {
		t.Fatalf("REST comment: %d", status)
	}
	if status := call(t, hc, "POST", s.URL()+"/api/rooms/demo/comments", "not json", nil); status != http.StatusBadRequest {
		t.Fatalf("malformed REST comment: %d", status)
	}
	if status := call(t, hc, "POST", s.URL()+"/api/comments/"+strconv.FormatInt(stored.ID, 10)+"/like", nil, nil); status != http.StatusOK {
		t.Fatalf("REST like: %d", status)
	}
	if status := call(t, hc, "GET", s.URL()+"/api/rooms/demo/comments", nil, nil); status != http.StatusOK {
		t.Fatalf("REST read: %d", status)
	}
	if status := call(t, hc, "GET", s.URL()+"/no/such/page", nil, nil); status != http.StatusNotFound {
		t.Fatalf("unknown path: %d", status)
	}
	if status := call(t, bearerClient(t, "not-a-token"), "GET", s.URL()+"/api/rooms", nil, nil); status != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", status)
	}
	// Through DPlayer's API: one accepted, one malformed.
	if _, a := dpPost(t, s, hc, "", `{"id":"demo","author":"x","time":3,"text":"from dplayer","color":16777215,"type":0}`); a.Code != 0 {
		t.Fatalf("DPlayer post: %+v", a)
	}
	if _, a := dpPost(t, s, hc, "", `{"id":"demo","text":`); a.Code != 1 {
		t.Fatalf("malformed DPlayer post: %+v", a)
	}

	// 5 visible comments reach the 3 viewer sockets (the moderator's is
	// not a room member); the likes frame follows within -flush-every.
	const visible, viewerSockets = 5, 3
	mf := scrapeUntil(t, s, "every visible comment delivered", func(mf metricstest.Families) bool {
		return mf.Sum("danmaku_hub_comment_deliveries_total") >= visible*viewerSockets &&
			mf.Sum("danmaku_hub_frames_total", "kind", "likes") >= 1
	})

	t.Run("comments", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"danmaku_comments_received_total", []string{"via", "ws"}, 8},
			{"danmaku_comments_accepted_total", []string{"via", "ws"}, 3},
			{"danmaku_comments_rejected_total", []string{"via", "ws", "reason", "rejected", "plugin", "wordfilter"}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "ws", "reason", "held", "plugin", "nospoilers"}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "ws", "reason", "shadowed", "plugin", "blocklist"}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "ws", "reason", "invalid", "plugin", ""}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "ws", "reason", "forbidden", "plugin", ""}, 1},
			{"danmaku_comments_received_total", []string{"via", "rest"}, 2},
			{"danmaku_comments_accepted_total", []string{"via", "rest"}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "rest", "reason", "bad_request", "plugin", ""}, 1},
			{"danmaku_comments_received_total", []string{"via", "dplayer"}, 2},
			{"danmaku_comments_accepted_total", []string{"via", "dplayer"}, 1},
			{"danmaku_comments_rejected_total", []string{"via", "dplayer", "reason", "bad_request", "plugin", ""}, 1},
		} {
			if got := mf.Value(c.name, c.labels...); got != c.want {
				t.Errorf("%s%q = %v, want %v", c.name, c.labels, got, c.want)
			}
		}
		for _, via := range []string{"ws", "rest", "dplayer"} {
			received := mf.Value("danmaku_comments_received_total", "via", via)
			settled := mf.Value("danmaku_comments_accepted_total", "via", via) + mf.Sum("danmaku_comments_rejected_total", "via", via)
			if received != settled {
				t.Errorf("via %s: %v received, but %v accepted or rejected", via, received, settled)
			}
		}
	})

	t.Run("sockets and rooms", func(t *testing.T) {
		if got := mf.Value("danmaku_sockets_open", "kind", "viewer"); got != viewerSockets {
			t.Errorf("viewer sockets %v, want %d", got, viewerSockets)
		}
		if got := mf.Value("danmaku_sockets_open", "kind", "moderator"); got != 1 {
			t.Errorf("moderator sockets %v, want 1", got)
		}
		if got := mf.Value("danmaku_rooms_active"); got != 1 {
			t.Errorf("active rooms %v, want 1", got)
		}
	})

	t.Run("fan-out", func(t *testing.T) {
		frames := mf.Value("danmaku_hub_frames_total", "kind", "comments")
		if got := mf.Value("danmaku_hub_deliveries_total", "kind", "comments"); frames < 1 || got != frames*viewerSockets {
			t.Errorf("%v comments frames written %v times, want once to each of %d sockets", frames, got, viewerSockets)
		}
		if got := mf.Value("danmaku_hub_comment_deliveries_total"); got != visible*viewerSockets {
			t.Errorf("comments written %v, want %d × %d", got, visible, viewerSockets)
		}
		if h := mf.Histogram("danmaku_hub_frame_comments"); h.GetSampleSum() != visible || float64(h.GetSampleCount()) != frames {
			t.Errorf("comments per frame: %d frames holding %v, want %v holding %d", h.GetSampleCount(), h.GetSampleSum(), frames, visible)
		}
		if got := mf.Value("danmaku_hub_frames_total", "kind", "presence"); got < 1 {
			t.Errorf("presence frames %v, want the joins' counts", got)
		}
	})

	t.Run("writer", func(t *testing.T) {
		ops, secs := mf.Histogram("danmaku_writer_commit_ops"), mf.Histogram("danmaku_writer_commit_duration_seconds")
		// 7 stored comments (held and shadowed ones too), 2 likes, 1 ban.
		if ops.GetSampleSum() < 10 || ops.GetSampleCount() < 1 || ops.GetSampleCount() > uint64(ops.GetSampleSum()) {
			t.Errorf("%d commits of %v ops, want at least 10 ops", ops.GetSampleCount(), ops.GetSampleSum())
		}
		if secs.GetSampleCount() != ops.GetSampleCount() || secs.GetSampleSum() <= 0 {
			t.Errorf("commit time: %d commits taking %vs, want the %d commits, each timed", secs.GetSampleCount(), secs.GetSampleSum(), ops.GetSampleCount())
		}
		if got := mf.Value("danmaku_writer_queue_depth"); got != 0 {
			t.Errorf("queue depth %v at rest, want 0", got)
		}
		if got := mf.Value("danmaku_writer_queue_capacity"); got != float64(s.Cfg.WriterQueue) {
			t.Errorf("queue capacity %v, want %d", got, s.Cfg.WriterQueue)
		}
	})

	t.Run("plugins", func(t *testing.T) {
		// Every valid comment sent to its room: 5 + 1 shadowed over sockets, 1 over REST, 1 through DPlayer.
		if got := mf.Histogram("danmaku_plugin_duration_seconds", "chain", "default", "plugin", "blocklist").GetSampleCount(); got != 8 {
			t.Errorf("blocklist latency: %d calls, want 8", got)
		}
		for _, c := range []struct{ plugin, outcome string }{{"wordfilter", "reject"}, {"nospoilers", "hold"}, {"blocklist", "shadow"}} {
			if got := mf.Value("danmaku_plugin_calls_total", "chain", "default", "plugin", c.plugin, "outcome", c.outcome); got != 1 {
				t.Errorf("%s %s: %v, want 1", c.plugin, c.outcome, got)
			}
		}
	})

	t.Run("http", func(t *testing.T) {
		for _, c := range []struct {
			method, route, status string
			want                  float64
		}{
			{"GET", "/api/rooms/:id/comments", "200", 1},
			{"POST", "/api/rooms/:id/comments", "201", 1},
			{"POST", "/api/rooms/:id/comments", "400", 1},
			{"POST", "/api/comments/:id/like", "200", 1},
			{"POST", "/api/admin/bans", "201", 1},
			{"POST", "/dplayer/v3", "200", 2}, // DPlayer's refusals are 200s too
			{"GET", "/ws", "101", 3},          // one per handshake, however long the socket lives
			{"GET", "/ws/admin", "101", 1},
			{"GET", "/api", "401", 1}, // refused by the group's identify, before any route
			{"GET", "other", "404", 1},
		} {
			if got := mf.Value("danmaku_http_requests_total", "method", c.method, "route", c.route, "status", c.status); got != c.want {
				t.Errorf("%s %s %s: %v requests, want %v", c.method, c.route, c.status, got, c.want)
			}
		}
		if got := mf.Histogram("danmaku_http_request_duration_seconds", "method", "GET", "route", "/api/rooms/:id/comments").GetSampleCount(); got != 1 {
			t.Errorf("GET /api/rooms/:id/comments latency: %d observations, want 1", got)
		}
		for _, route := range mf.LabelValues("danmaku_http_requests_total", "route") {
			if strings.Contains(route, "demo") || strings.Contains(route, "no/such") || strings.Contains(route, "/"+strconv.FormatInt(stored.ID, 10)+"/") {
				t.Errorf("route label %q is a raw path, not a pattern", route)
			}
		}
	})

	t.Run("auth and build", func(t *testing.T) {
		if got := mf.Value("danmaku_auth_failures_total", "reason", "invalid"); got != 1 {
			t.Errorf("auth failures %v, want 1", got)
		}
		if got := mf.Value("danmaku_build_info", "version", s.Cfg.Version); got != 1 {
			t.Errorf("build_info %v, want 1", got)
		}
		for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
			if len(mf.Series(name)) == 0 {
				t.Errorf("%s missing", name)
			}
		}
	})

	// A bad auth frame is an auth failure, and the server closes that
	// socket; a socket that goes is gone from the gauge.
	bad := dial(t, s, "?room=demo")
	bad.next(protocol.TypeWelcome)
	bad.send(map[string]string{"type": "auth", "token": "not-a-token"})
	bad.waitClosed()
	shadowed.conn.Close()
	scrapeUntil(t, s, "the bad auth counted and both sockets gone", func(mf metricstest.Families) bool {
		return mf.Sum("danmaku_socket_closes_total", "reason", "unauthorized") == 1 &&
			mf.Sum("danmaku_auth_failures_total", "reason", "invalid") == 2 &&
			mf.Value("danmaku_sockets_open", "kind", "viewer") == viewerSockets-1
	})
}

func TestMetricsCountSlowSocketCloses(t *testing.T) {
	s := startServer(t, func(c *app.Config) {
		c.WriteWait = time.Minute // so only the send buffer can end the stalled socket here
		c.MaxTextRunes = 10000
		c.SendBuffer = 16
	})
	createRoom(t, s, "slow", "live")
	// One stalled member does not make the room hold its frames back (and
	// merge them): each frame queues for it.
	const readers = 8
	for range readers {
		dial(t, s, "?room=slow").next(protocol.TypeWelcome)
	}
	stalled := dialStalled(t, s, "?room=slow", stalledReadBuffer)
	defer stalled.Close()
	scrapeUntil(t, s, "the stalled socket join", func(mf metricstest.Families) bool {
		return mf.Value("danmaku_sockets_open", "kind", "viewer") == readers+1
	})
	hc := httpClient(t)
	big := strings.Repeat("😀", 10000)
	for sent := 0; ; sent++ {
		if sent == 2000 {
			t.Fatal("the stalled socket was never closed as slow")
		}
		if status := call(t, hc, "POST", s.URL()+"/api/rooms/slow/comments", map[string]any{"text": big}, nil); status != http.StatusCreated {
			t.Fatalf("post %d: %d", sent, status)
		}
		if sent%10 == 9 && scrape(t, s).Sum("danmaku_socket_closes_total", "reason", "slow") == 1 {
			t.Logf("closed as slow after %d comments", sent+1)
			break
		}
	}
	// Its close frame waits behind what it never read: it goes when the client does.
	stalled.Close()
	mf := scrapeUntil(t, s, "the slow socket leave", func(mf metricstest.Families) bool {
		return mf.Value("danmaku_sockets_open", "kind", "viewer") == readers
	})
	if got := mf.Sum("danmaku_socket_closes_total"); got != 1 {
		t.Errorf("%v sockets closed by the server, want only the slow one", got)
	}
}

func TestMetricsListener(t *testing.T) {
	for _, tc := range []struct {
		name   string
		addr   string
		onMain bool // served at /metrics on the main listener
		own    bool // served on a listener of its own
	}{
		{"on the main listener by default", "", true, false},
		{"on a listener of its own", "127.0.0.1:0", false, true},
		{"off", app.MetricsOff, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := startServer(t, func(c *app.Config) {
				c.MetricsAddr = tc.addr
				c.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs, apptest.LogWriter(t)), &slog.HandlerOptions{Level: slog.LevelInfo}))
			})
			hc := httpClient(t)
			url := s.MetricsURL()
			switch {
			case tc.onMain && url != s.URL()+"/metrics",
				tc.own && (url == "" || strings.HasPrefix(url, s.URL())),
				!tc.onMain && !tc.own && url != "":
				t.Fatalf("MetricsURL() = %q (main listener %s)", url, s.URL())
			}
			if url != "" {
				if got := scrape(t, s).Value("danmaku_build_info", "version", s.Cfg.Version); got != 1 {
					t.Errorf("build_info = %v, want 1", got)
				}
				// Scrapes stay out of the request log, like health probes.
				call(t, hc, "GET", s.URL()+"/api/rooms", nil, nil)
				if log := logs.String(); strings.Contains(log, "path=/metrics") || !strings.Contains(log, "path=/api/rooms") {
					t.Errorf("want request lines for /api/rooms and none for /metrics in:\n%s", log)
				}
			}
			if tc.own {
				if resp, _ := apptest.Fetch(t, hc, "GET", strings.TrimSuffix(url, "/metrics")+"/api/rooms", nil, nil); resp.StatusCode != http.StatusNotFound {
					t.Errorf("the metrics listener answers other paths: %d", resp.StatusCode)
				}
			}
			want := http.StatusNotFound // an unknown path, unless served there
			if tc.onMain {
				want = http.StatusOK
			}
			if resp, _ := apptest.Fetch(t, hc, "GET", s.URL()+"/metrics", nil, nil); resp.StatusCode != want {
				t.Errorf("GET /metrics on the main listener: %d, want %d", resp.StatusCode, want)
			}
		})
	}
}

func TestBadMetricsAddrStopsStartUp(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct{ name, addr, want string }{
		{"not an address", "metrics", `metrics-addr must be host:port, empty or off, got "metrics"`},
		{"the main address", "127.0.0.1:8080", "metrics-addr must differ from addr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir())
			cfg.Addr, cfg.MetricsAddr = "127.0.0.1:8080", tc.addr
			if _, err := app.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("app.New: %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("address in use", func(t *testing.T) {
		cfg := testConfig(t, t.TempDir())
		cfg.MetricsAddr = taken.Addr().String()
		s := apptest.New(t, cfg)
		if err := s.Start(); err == nil || !strings.Contains(err.Error(), "metrics-addr") {
			t.Fatalf("Start: %v, want an error naming metrics-addr", err)
		}
	})
}
