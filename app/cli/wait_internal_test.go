package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"
)

// fakeServer is a server whose Done the test fires.
type fakeServer struct{ done chan error }

func (f fakeServer) ReloadPlugins(context.Context) error { return nil }
func (f fakeServer) Done() <-chan error                  { return f.done }

// TestWaitAndReloadFailsWhenTheServerStopsOnItsOwn: a server that stops
// serving on its own (a fatal listener error) makes serve fail, so the
// process exits non-zero; being told to stop is a clean end.
func TestWaitAndReloadFailsWhenTheServerStopsOnItsOwn(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fatal := errors.New("accept: invalid argument")
	for _, tc := range []struct {
		name string
		stop func(cancel context.CancelFunc, done chan error)
		want error
	}{
		{"stopped on its own", func(_ context.CancelFunc, done chan error) { done <- fatal }, fatal},
		{"told to stop", func(cancel context.CancelFunc, _ chan error) { cancel() }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := fakeServer{done: make(chan error, 1)}
			tc.stop(cancel, srv.done)
			if err := waitAndReload(ctx, srv, make(chan os.Signal), log); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("waitAndReload = %v, want %v", err, tc.want)
			}
		})
	}
}
