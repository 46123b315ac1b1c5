// Command melodyrelay is the bare-melody baseline server for load tests:
// plain net/http + melody relaying raw frames within rooms (see package relay).
//
//	go run ./bench/melodyrelay -addr 127.0.0.1:9090
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/danmaku/danmaku/bench/melodyrelay/relay"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address")
	maxMsg := flag.Int64("max-message-size", relay.DefaultMaxMessageSize, "largest frame accepted from a client, bytes")
	flag.Parse()
	if err := run(*addr, *maxMsg); err != nil {
		slog.Error("melodyrelay", "err", err)
		os.Exit(1)
	}
}

func run(addr string, maxMsg int64) error {
	srv, err := relay.Start(addr, maxMsg)
	if err != nil {
		return err
	}
	fmt.Printf("melodyrelay pid=%d addr=%s\n", os.Getpid(), srv.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case err := <-srv.Done():
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	st := srv.Stats()
	fmt.Printf("melodyrelay stats: frames_in=%d queued=%d dropped=%d\n", st.FramesIn, st.Queued, st.Dropped)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
