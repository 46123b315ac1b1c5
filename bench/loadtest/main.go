// Command loadtest runs app/loadtest as a small standalone client, so the
// clients can live in their own process without building the whole server
// (same flags as `danmaku loadtest`, plus -cpuprofile).
//
//	go run ./bench/loadtest -mode raw -addr 127.0.0.1:9090 -viewers 5000 -rate 200 -duration 20s -pid PID
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/danmaku/danmaku/app/loadtest"
)

func main() {
	fs := flag.NewFlagSet("loadtest", flag.ExitOnError)
	cfg := loadtest.RegisterFlags(fs)
	profile := fs.String("cpuprofile", "", "write the client's CPU profile to this file")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: Parse exits on a bad flag.
	if err := run(*cfg, *profile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(cfg loadtest.Config, profile string) error {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return loadtest.Main(ctx, cfg, os.Stdout, os.Stderr)
}
