package cli

import (
	"context"
	"flag"
	"os/signal"
	"syscall"

	"github.com/danmaku/danmaku/app/loadtest"
)

// runLoadtest is `danmaku loadtest`: many WebSocket clients against a
// running server (this binary's or the bare-melody baseline), then a report.
func runLoadtest(ctx context.Context, args []string, io IO, _ Files) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	cfg := loadtest.RegisterFlags(fs)
	if err := parse(fs, args, io); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return loadtest.Main(ctx, *cfg, io.Stdout, io.Stderr)
}
