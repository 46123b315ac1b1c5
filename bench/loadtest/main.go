// Command loadtest runs app/loadtest as a small standalone client, so the
// clients can live in their own process without building the whole server
// (same flags as `danmaku loadtest`).
//
//	go run ./bench/loadtest -mode raw -addr 127.0.0.1:9090 -viewers 5000 -rate 200 -duration 20s -pid PID
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/danmaku/danmaku/app/loadtest"
)

func main() {
	fs := flag.NewFlagSet("loadtest", flag.ExitOnError)
	cfg := loadtest.RegisterFlags(fs)
	_ = fs.Parse(os.Args[1:]) // ExitOnError: Parse exits on a bad flag.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadtest.Main(ctx, *cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
