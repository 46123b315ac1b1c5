package app_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/metrics/metricstest"
)

// floodNoFile is the open-files limit of the flooded server process.
const floodNoFile = 256

// TestDescriptorFloods starts the server in a child process under
// `ulimit -n 256` and floods it with idle TCP connections that send
// nothing, from several loopback addresses, well past the limit. In every
// case the server keeps running (a supervisor that restarts only failed
// processes would otherwise leave it down), says what it did in /metrics
// and /readyz, and answers /healthz once the flood is gone.
func TestDescriptorFloods(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		from  []string // flooding addresses, floodPer connections each
		per   int
		check func(t *testing.T, p *apptest.Process, flood []net.Conn, before metricstest.Families)
	}{
		{
			name: "capped below the limit: the excess is refused",
			from: []string{"127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"}, per: 100,
			check: func(t *testing.T, p *apptest.Process, flood []net.Conn, before metricstest.Families) {
				max := int(before.Value("danmaku_tcp_connections_max"))
				if max <= 0 || max >= floodNoFile {
					t.Fatalf("danmaku_tcp_connections_max = %d, want a cap below the limit of %d", max, floodNoFile)
				}
				// Every connection past the cap is accepted and closed at once.
				waitClosed(t, flood, len(flood)-max)
			},
		},
		{
			name: "one address over its own cap: others are still served",
			args: []string{"-max-tcp-per-ip", "50"},
			from: []string{"127.0.0.3"}, per: 120,
			check: func(t *testing.T, p *apptest.Process, flood []net.Conn, _ metricstest.Families) {
				waitClosed(t, flood, len(flood)-50)
				if status := healthz(p.URL(), "127.0.0.9"); status != http.StatusOK {
					t.Errorf("another address got %d from /healthz during the flood, want 200", status)
				}
			},
		},
		{
			name: "no cap: accept runs out of descriptors and retries",
			args: []string{"-max-tcp", "-1"},
			from: []string{"127.0.0.3", "127.0.0.4", "127.0.0.5"}, per: 100,
			check: func(t *testing.T, p *apptest.Process, _ []net.Conn, _ metricstest.Families) {
				// Every descriptor is taken, and connections still wait in
				// the backlog: each accept of them fails with EMFILE.
				deadline := time.Now().Add(waitFor)
				for openFDs(t, p.Pid()) < floodNoFile-1 {
					if _, gone := p.Exited(); gone || time.Now().After(deadline) {
						t.Fatalf("the server never ran out of descriptors (exited: %v)", gone)
					}
					time.Sleep(10 * time.Millisecond) // watching another process: no event to wait on
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := apptest.SpawnWith(t, t.TempDir(), "127.0.0.1:0", apptest.SpawnOptions{Args: tc.args, NoFile: floodNoFile})
			before := metricstest.Scrape(t, p.URL()+"/metrics")
			flood := openIdle(t, p, tc.from, tc.per)
			tc.check(t, p, flood, before)
			if state, gone := p.Exited(); gone {
				t.Fatalf("the server exited during the flood: %v", state)
			}

			for _, c := range flood {
				c.Close()
			}
			deadline := time.Now().Add(waitFor)
			for healthz(p.URL(), "127.0.0.1") != http.StatusOK {
				if state, gone := p.Exited(); gone {
					t.Fatalf("the server exited after the flood: %v", state)
				}
				if time.Now().After(deadline) {
					t.Fatal("/healthz never answered after the flood")
				}
				time.Sleep(10 * time.Millisecond) // the server frees the flood's descriptors as it notices them close
			}
			after := metricstest.Scrape(t, p.URL()+"/metrics")
			refused, failed := after.Sum("danmaku_tcp_refused_total"), after.Sum("danmaku_accept_errors_total", "reason", "EMFILE")
			t.Logf("refused %v connections; %v accepts failed with EMFILE", refused, failed)
			if refused+failed == 0 {
				t.Error("the flood left no trace in danmaku_tcp_refused_total or danmaku_accept_errors_total")
			}
			if strings.HasPrefix(tc.name, "no cap") {
				if failed == 0 {
					t.Error("no EMFILE counted in danmaku_accept_errors_total")
				}
				// Shortly after running out, /readyz says so.
				var h struct{ Checks map[string]string }
				if status := apptest.Call(t, apptest.HTTPClient(t), "GET", p.URL()+"/readyz", nil, &h); status != http.StatusServiceUnavailable || !strings.Contains(h.Checks["descriptors"], "file descriptors") {
					t.Errorf("/readyz: %d %v, want 503 with the descriptors check failing", status, h.Checks)
				}
			}
		})
	}
}

// openIdle opens per idle TCP connections from each address in from to
// the server p, all at once, and closes what is left when the test ends.
func openIdle(t *testing.T, p *apptest.Process, from []string, per int) []net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(p.URL(), "http://")
	conns := make([]net.Conn, 0, len(from)*per)
	for _, ip := range from {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: waitFor}
		for range per {
			c, err := d.Dial("tcp", addr)
			if err != nil {
				if state, gone := p.Exited(); gone {
					t.Fatalf("the server exited during the flood: %v", state)
				}
				t.Fatalf("flooding from %s: %v", ip, err)
			}
			conns = append(conns, c)
		}
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// waitClosed waits until at least n of conns have been closed by the server.
func waitClosed(t *testing.T, conns []net.Conn, n int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	closed := 0
	deadline := time.Now().Add(waitFor)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(deadline)
			if _, err := c.Read(make([]byte, 1)); err == io.EOF || isReset(err) {
				mu.Lock()
				closed++
				mu.Unlock()
			}
		}()
	}
	// The connections the server keeps stay open until the deadline; the
	// count is complete once every refused one has been seen, or then.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		mu.Lock()
		got := closed
		mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-done:
			t.Fatalf("the server closed %d of %d connections, want at least %d", got, len(conns), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// healthz asks base's /healthz from the local address from and returns
// the status, 0 when there was no answer.
func healthz(base, from string) int {
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext,
		DisableKeepAlives: true,
	}}
	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// openFDs counts the open descriptors of process pid.
func openFDs(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
