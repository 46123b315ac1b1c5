package client_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// BenchmarkIdleSocketMemory measures what one idle connection in a room
// costs this process, heap and stacks, with the server in another process:
// as a client of this package (with a goroutine reading its events), and
// as the load tool's lean socket (one reader goroutine, 4-KiB read
// buffer, pooled write buffers). docs/BENCHMARKS.md quotes it.
func BenchmarkIdleSocketMemory(b *testing.B) {
	const sockets = 500
	p := apptest.Spawn(b, b.TempDir(), "127.0.0.1:0")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		open func(b *testing.B) func()
	}{
		{"client", func(b *testing.B) func() {
			c, err := client.Dial(ctx, p.URL())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Join(ctx, "demo"); err != nil {
				b.Fatal(err)
			}
			go func() {
				for range c.Events() {
				}
			}()
			return func() { c.Close() }
		}},
		{"lean", func() func(b *testing.B) func() {
			d := &websocket.Dialer{ReadBufferSize: 4096, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{}}
			return func(b *testing.B) func() {
				conn, _, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(p.URL(), "http")+"/ws?room=demo", http.Header{})
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					for {
						if _, _, err := conn.NextReader(); err != nil {
							return
						}
					}
				}()
				return func() { conn.Close() }
			}
		}()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				before, g0 := inUse()
				closers := make([]func(), sockets)
				for i := range closers {
					closers[i] = tc.open(b)
				}
				after, g1 := inUse()
				b.ReportMetric(float64(after-before)/sockets/1024, "KiB/socket")
				b.ReportMetric(float64(g1-g0)/sockets, "goroutines/socket")
				for _, c := range closers {
					c()
				}
			}
		})
	}
}

// inUse is the heap and stack memory in use after a collection, and the
// number of goroutines.
func inUse() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse, runtime.NumGoroutine()
}
