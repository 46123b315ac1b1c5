package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/internal/redistest"
	"github.com/danmaku/danmaku/app/loadtest"
)

// benchRuns is how many times each cluster benchmark alternates its
// setups (DANMAKU_BENCH_RUNS, default 3): medians are reported.
func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("DANMAKU_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// loadFlags are the spawned nodes' flags for load: no plugins, no limits.
var loadFlags = []string{"-seed-demo=false", "-max-conns-per-ip", "-1", "-max-tcp-per-ip", "-1", "-frame-rate", "-1", "-rest-writes", "-1"}

// spawnNodes starts n node processes with args and returns them.
func spawnNodes(b *testing.B, n int, args ...string) []*apptest.Process {
	b.Helper()
	dir := b.TempDir()
	var nodes []*apptest.Process
	for range n {
		nodes = append(nodes, apptest.SpawnWith(b, dir, "127.0.0.1:0", apptest.SpawnOptions{Args: append(slices.Clone(loadFlags), args...)}))
	}
	return nodes
}

func nodesCPU(b *testing.B, nodes []*apptest.Process) time.Duration {
	b.Helper()
	var sum time.Duration
	for _, p := range nodes {
		d, err := redistest.ProcessCPU(strconv.Itoa(p.Pid()))
		if err != nil {
			b.Fatal(err)
		}
		sum += d
	}
	return sum
}

// BenchmarkClusterHotRoom runs one hot room (loadtest: 1 room, 1,500
// viewers, 15 senders, 200 comments/s for 10 s) on one node over SQLite,
// one node over PostgreSQL and Redis, and three nodes over PostgreSQL and
// Redis with the sockets spread over them, alternating, and reports CPU
// per delivery (the nodes'; PostgreSQL's and Redis's apart), latency and
// loss. Run it alone:
//
//	go test -run '^$' -bench ClusterHotRoom -benchtime 1x -timeout 30m ./app/
func BenchmarkClusterHotRoom(b *testing.B) {
	pg := pgtest.Shared(b)
	setups := []struct {
		name  string
		nodes int
		pg    bool
	}{{"1 node, SQLite", 1, false}, {"1 node, PostgreSQL+Redis", 1, true}, {"3 nodes, PostgreSQL+Redis", 3, true}}
	type result struct{ nodeUs, pgUs, redisUs, p50, p99, loss []float64 }
	results := make([]result, len(setups))
	for run := range benchRuns() {
		for i, s := range setups {
			var args []string
			var rd *redistest.Server
			if s.pg {
				rd = redistest.Start(b)
				args = []string{"-db", apptest.PostgresDB(b), "-redis", rd.URL()}
			}
			nodes := spawnNodes(b, s.nodes, args...)
			var addrs []string
			for _, n := range nodes {
				addrs = append(addrs, strings.TrimPrefix(n.URL(), "http://"))
			}
			apptest.CreateRoom(b, nodes[0].URL(), "lt0", "live")
			cfg := loadtest.Config{Addr: strings.Join(addrs, ","), Rooms: 1, Viewers: 1500, Senders: 15, Rate: 200,
				Duration: 10 * time.Second, Drain: 10 * time.Second, Sources: loopbacks(4)}
			cpu0, pg0 := nodesCPU(b, nodes), must(pg.CPU())
			var rd0 time.Duration
			if rd != nil {
				rd0 = must(rd.CPU())
			}
			rep, err := loadtest.Run(context.Background(), cfg, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			cpu := nodesCPU(b, nodes) - cpu0
			r := &results[i]
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max(rep.Delivered, 1)) }
			r.nodeUs = append(r.nodeUs, per(cpu))

			if s.pg {
				r.pgUs = append(r.pgUs, per(must(pg.CPU())-pg0))
				r.redisUs = append(r.redisUs, per(must(rd.CPU())-rd0))
			}
			r.p50, r.p99 = append(r.p50, rep.Latency.P50), append(r.p99, rep.Latency.P99)
			r.loss = append(r.loss, float64(rep.Lost+rep.Duplicates))
			fmt.Printf("run %d, %s: delivered %d of %d, lost %d, dup %d, p50 %.1f ms, p99 %.1f ms, nodes %.2f µs/delivery\n",
				run, s.name, rep.Delivered, rep.Expected, rep.Lost, rep.Duplicates, rep.Latency.P50, rep.Latency.P99, per(cpu))
			for _, n := range nodes {
				n.Kill(b)
			}
			if rd != nil {
				rd.Kill()
			}
		}
	}
	for i, s := range setups {
		r := results[i]
		fmt.Printf("%s: median of %d: nodes %.2f µs/delivery, PostgreSQL %.2f, Redis %.2f; p50 %.1f ms, p99 %.1f ms; lost+duplicated %v\n",
			s.name, len(r.p50), median(r.nodeUs), median(r.pgUs), median(r.redisUs), median(r.p50), median(r.p99), r.loss)
	}
}

// BenchmarkClusterCrossNode measures commit-to-screen latency on the node
// that committed and on another node: a sender on node A, a viewer on A
// and one on B, 100 comments/s for 10 s; p50 and p99 of each.
//
//	go test -run '^$' -bench ClusterCrossNode -benchtime 1x ./app/
func BenchmarkClusterCrossNode(b *testing.B) {
	rd := redistest.Start(b)
	nodes := spawnNodes(b, 2, "-db", apptest.PostgresDB(b), "-redis", rd.URL())
	apptest.CreateRoom(b, nodes[0].URL(), "x", "live")
	ws := func(p *apptest.Process) *websocket.Conn {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.URL(), "http")+"/ws?room=x", nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	}
	sender, same, cross := ws(nodes[0]), ws(nodes[0]), ws(nodes[1])
	// The first second warms the nodes up (connections, first plans) and
	// is left out of the figures.
	const n, warmup = 1100, 100
	sent := make([]time.Time, n)
	var mu sync.Mutex
	collect := func(c *websocket.Conn, out *[]float64, done chan struct{}) {
		defer close(done)
		for len(*out) < n-warmup {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(data, &f) != nil || f.Type != "comments" {
				continue
			}
			now := time.Now()
			for _, it := range f.Items {
				k, err := strconv.Atoi(strings.TrimPrefix(it.Text, "k"))
				if err != nil {
					continue
				}
				if k < warmup {
					continue
				}
				mu.Lock()
				*out = append(*out, float64(now.Sub(sent[k]).Microseconds())/1000)
				mu.Unlock()
			}
		}
	}
	var sameMs, crossMs []float64
	d1, d2 := make(chan struct{}), make(chan struct{})
	go collect(same, &sameMs, d1)
	go collect(cross, &crossMs, d2)
	go func() { // acks
		for {
			if _, _, err := sender.ReadMessage(); err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	for k := range n {
		<-tick.C
		mu.Lock()
		sent[k] = time.Now()
		mu.Unlock()
		if err := sender.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"comment","text":"k%d","time":1}`, k)); err != nil {
			b.Fatal(err)
		}
	}
	tick.Stop()
	for _, d := range []chan struct{}{d1, d2} {
		select {
		case <-d:
		case <-time.After(30 * time.Second):
			b.Fatal("not every comment arrived")
		}
	}
	for _, r := range []struct {
		name string
		ms   []float64
	}{{"same node", sameMs}, {"cross node", crossMs}} {
		fmt.Printf("%s: %d comments, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.name, len(r.ms),
			quantile(r.ms, 0.5), quantile(r.ms, 0.9), quantile(r.ms, 0.99), quantile(r.ms, 1))
	}
	b.ReportMetric(quantile(crossMs, 0.99)-quantile(sameMs, 0.99), "ms-p99-extra")
}

func loopbacks(n int) []netip.Addr {
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func median(v []float64) float64 { return quantile(v, 0.5) }

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}
