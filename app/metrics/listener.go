package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Path is where the metrics are served.
const Path = "/metrics"

// Listener serves the metrics on a listener of their own (one only the
// monitoring network reaches), and nothing else.
type Listener struct {
	ln  net.Listener
	srv *http.Server
}

// Listen opens addr and serves m's metrics there at Path.
func Listen(addr string, m *Metrics, log *slog.Logger) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s (metrics-addr): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, m.Handler())
	l := &Listener{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}}
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return l, nil
}

// URL returns where the metrics are served.
func (l *Listener) URL() string { return "http://" + l.ln.Addr().String() + Path }

// Shutdown stops serving, bounded by ctx.
func (l *Listener) Shutdown(ctx context.Context) error { return l.srv.Shutdown(ctx) }
