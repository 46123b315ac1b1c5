package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"go.uber.org/goleak"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/client"
)

// TestNoGoroutineOutlivesTheClient cancels every kind of wait and closes
// the client in every state; afterwards none of its goroutines is left.
// The server runs in another process, so its goroutines do not count.
func TestNoGoroutineOutlivesTheClient(t *testing.T) {
	p := apptest.Spawn(t, t.TempDir(), "127.0.0.1:0")
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a dial cancelled during the handshake", func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ctx, cancel := context.WithCancel(context.Background())
			go func() { // a server that accepts and never answers
				conn, err := ln.Accept()
				if err == nil {
					cancel()
					defer conn.Close()
					buf := make([]byte, 1024)
					for _, err := conn.Read(buf); err == nil; _, err = conn.Read(buf) {
					}
				}
			}()
			if c, err := client.Dial(ctx, "ws://"+ln.Addr().String()+"/ws"); !errors.Is(err, context.Canceled) {
				if c != nil {
					c.Close()
				}
				t.Fatalf("Dial: %v, want context.Canceled", err)
			}
		}},
		{"calls cancelled while offline, then Close", func(t *testing.T) {
			gate := newNetGate()
			c := dial(t, p.URL(), client.WithDialer(gate.dialer()), fastRetry)
			join(t, c, "demo")
			gate.hold()
			gate.cut()
			gate.waitDial(t) // held there: the client is offline
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 2)
			go func() { _, err := c.Send(ctx, "demo", client.Draft{Text: "never sent"}); errc <- err }()
			go func() { _, err := c.Join(ctx, "other"); errc <- err }()
			cancel()
			for range 2 {
				if err := <-errc; !errors.Is(err, context.Canceled) {
					t.Errorf("a call waiting for the connection: %v, want context.Canceled", err)
				}
			}
			c.Close()
		}},
		{"Close while reconnecting", func(t *testing.T) {
			gate := newNetGate()
			c := dial(t, p.URL(), client.WithDialer(gate.dialer()), fastRetry)
			gate.hold()
			gate.cut()
			gate.waitDial(t)
			c.Close()
			if !errors.Is(c.Err(), client.ErrClosed) {
				t.Errorf("Err() = %v after Close, want ErrClosed", c.Err())
			}
		}},
		{"Listen ended by its ctx, then Close", func(t *testing.T) {
			c := dial(t, p.URL())
			join(t, c, "demo")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int)
			go func() {
				n := 0
				for range c.Listen(ctx) {
					n++
				}
				done <- n
			}()
			send(t, c, "demo", "one")
			cancel()
			<-done
			c.Close()
			if _, ok := <-c.Events(); ok {
				t.Error("Events still open after Close")
			}
		}},
		{"a send waiting for its ack when Close comes", func(t *testing.T) {
			c := dial(t, p.URL())
			join(t, c, "demo")
			errc := make(chan error, 1)
			go func() {
				_, err := c.Send(context.Background(), "demo", client.Draft{Text: "racing Close"})
				errc <- err
			}()
			c.Close()
			if err := <-errc; err != nil && !errors.Is(err, client.ErrClosed) {
				t.Errorf("Send racing Close: %v, want its ack or ErrClosed", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
			tc.run(t)
		})
	}
}
