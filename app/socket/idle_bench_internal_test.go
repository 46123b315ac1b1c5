package socket

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// idleSockets is how many sockets BenchmarkIdleSocket holds open.
const idleSockets = 2000

// BenchmarkIdleSocket measures what an idle viewer socket holds on the
// server: goroutines, stack and live heap per socket, after a collection.
// The clients are bare TCP connections in the same process that send the
// handshake and then nothing (no goroutine, no buffers); "bare TCP" is the
// same count of plain connections to a listener that only accepts, whose
// cost (both ends' descriptors) is taken off the sockets' heap.
//
//	go test -run XXX -bench IdleSocket -benchtime 1x -count 3 ./app/socket/
//
// With IDLE_HEAP_PROFILE=file it also writes a heap profile while every
// socket is open (run with -test.memprofilerate=1 for every allocation),
// for the breakdown by allocation site.
func BenchmarkIdleSocket(b *testing.B) {
	for range b.N {
		bare := measureIdle(b, func() (string, func()) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			var held []net.Conn
			accepted := make(chan struct{})
			go func() {
				defer close(accepted)
				for range idleSockets {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					held = append(held, c)
				}
			}()
			return ln.Addr().String(), func() {
				<-accepted
				ln.Close()
				for _, c := range held {
					c.Close()
				}
			}
		}, nil)
		s, url := serveSockets(b)
		addr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
		sockets := measureIdle(b, func() (string, func()) { return addr, func() {} }, func(c net.Conn) {
			fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
				"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", addr)
			resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
			if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
				b.Fatalf("handshake: %v, %v", resp, err)
			}
		}, func() { waitSockets(b, s, idleSockets) })
		b.ReportMetric(sockets.goroutines, "goroutines/socket")
		b.ReportMetric(sockets.stack, "stack-B/socket")
		b.ReportMetric(sockets.heap-bare.heap, "heap-B/socket")
		b.ReportMetric(bare.heap, "bare-tcp-heap-B/conn")
	}
}

// idleCost is what one connection added, on average.
type idleCost struct{ goroutines, stack, heap float64 }

// measureIdle opens idleSockets connections to the address listen gives,
// runs open on each, and returns the process's growth per connection
// (after a collection), then closes them and calls listen's cleanup.
func measureIdle(b *testing.B, listen func() (string, func()), open func(net.Conn), ready ...func()) idleCost {
	b.Helper()
	addr, cleanup := listen()
	defer cleanup()
	before := sample()
	conns := make([]net.Conn, 0, idleSockets)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range idleSockets {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		if open != nil {
			open(c)
		}
	}
	for _, f := range ready {
		f()
	}
	after := sample()
	if path := os.Getenv("IDLE_HEAP_PROFILE"); path != "" && open != nil {
		writeHeapProfile(b, path)
	}
	n := float64(idleSockets)
	return idleCost{
		goroutines: float64(after.goroutines-before.goroutines) / n,
		stack:      float64(after.stack-before.stack) / n,
		heap:       float64(after.heap-before.heap) / n,
	}
}

type memSample struct {
	goroutines  int
	stack, heap int64
}

func sample() memSample {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSample{goroutines: runtime.NumGoroutine(), stack: int64(m.StackInuse), heap: int64(m.HeapAlloc)}
}

// waitSockets waits until s has n sockets registered (the 101 reaches the
// client just before melody registers the session), for at most 10 s.
func waitSockets(b *testing.B, s *Server, n int) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v, _ := s.Count(); v == n {
			return
		} else if time.Now().After(deadline) {
			b.Fatalf("%d sockets registered, want %d", v, n)
		}
		runtime.Gosched()
	}
}

func writeHeapProfile(b *testing.B, path string) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
