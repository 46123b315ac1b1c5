package loadtest

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// droppingListener closes the first drop connections it accepts before a
// byte is read: to the client, a network failure of the handshake.
type droppingListener struct {
	net.Listener
	drop int64
	seen atomic.Int64
}

func (l *droppingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.seen.Add(1) > l.drop {
			return c, err
		}
		_ = c.Close()
	}
}

// churnServer serves WebSockets on loopback, dropping the first drop
// connections; refuse answers every handshake with 403 instead.
func churnServer(t *testing.T, drop int64, refuse bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := websocket.Upgrader{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		if c, err := up.Upgrade(w, r, nil); err == nil {
			_ = c.Close()
		}
	})}
	go func() { _ = srv.Serve(&droppingListener{Listener: ln, drop: drop}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func TestChurnConnect(t *testing.T) {
	closed, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name                   string
		drop                   int64
		refuse                 bool
		window                 context.Context
		connected              bool
		retried, refused, errs int64
	}{
		{name: "dropped dials are tried again until one connects", drop: 3, window: context.Background(),
			connected: true, retried: 3},
		{name: "a refused handshake is a failure, not tried again", refuse: true, window: context.Background(),
			refused: 1, errs: 1},
		{name: "no new attempt once the window closed, and no failure", drop: 1, window: closed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := accountingRun(t)
			r.cfg.Addr, r.cfg.DialTimeout = churnServer(t, tc.drop, tc.refuse), time.Minute
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var c churn
			conn := c.connect(tc.window, ctx, r, newDialers(r.cfg), 0, "room")
			if conn != nil {
				_ = conn.Close()
			}
			if (conn != nil) != tc.connected {
				t.Errorf("connected: %v, want %v", conn != nil, tc.connected)
			}
			var rep Report
			c.fill(&rep)
			if rep.ChurnRetried != tc.retried || rep.ChurnFailed != tc.refused {
				t.Errorf("retried %d (%v), refused %d; want %d, %d", rep.ChurnRetried, rep.ChurnRetryErrors, rep.ChurnFailed, tc.retried, tc.refused)
			}
			if (len(rep.ChurnRetryErrors) > 0) != (tc.retried > 0) {
				t.Errorf("retry errors %v after %d retries", rep.ChurnRetryErrors, tc.retried)
			}
			errs := tally(r.sendErrors)
			if int64(len(errs)) != tc.errs || (tc.errs > 0 && !(strings.Contains(errs[0], "churn: ") && strings.Contains(errs[0], "403"))) {
				t.Errorf("run errors %v, want %d naming the churn's refusal", errs, tc.errs)
			}
		})
	}
}
