package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// MetricsOff is the MetricsAddr that serves no /metrics (they are still
// counted: it costs next to nothing).
const MetricsOff = "off"

// metricsPath is where the Prometheus metrics are served.
const metricsPath = "/metrics"

// newMetrics returns the server's metrics; their gauges read the hub, the
// writer, the sockets and the plugins when scraped, so they may be made
// before those exist.
func (a *App) newMetrics() *metrics.Metrics {
	return metrics.New(metrics.Sources{
		Version:       a.cfg.Version,
		Vias:          []string{viaWS, viaREST, viaDPlayer},
		Sockets:       a.sockets.count,
		Rooms:         func() int { return a.hub.Rooms() },
		Writer:        func() store.WriterStats { return a.store.WriterStats() },
		WriterQueueAt: a.cfg.WriterQueue,
		Plugins:       func() plugins.Stats { return a.plugins.Stats() },
		Logger:        a.log,
	})
}

// checkMetricsAddr validates Config.MetricsAddr.
func (c Config) checkMetricsAddr() error {
	switch {
	case c.MetricsAddr == "" || c.MetricsAddr == MetricsOff:
		return nil
	}
	_, port, err := net.SplitHostPort(c.MetricsAddr)
	switch {
	case err != nil:
		return fmt.Errorf("metrics-addr must be host:port, empty or off, got %q", c.MetricsAddr)
	case c.MetricsAddr == c.Addr && port != "0":
		return fmt.Errorf("metrics-addr must differ from addr (leave it empty to serve /metrics on addr), got %q", c.MetricsAddr)
	}
	return nil
}

// metricsRoute serves /metrics on the main listener, when MetricsAddr
// leaves them there.
func (a *App) metricsRoute(f *fiber.App) {
	if a.cfg.MetricsAddr == "" {
		f.Get(metricsPath, adaptor.HTTPHandler(a.metrics.Handler()))
	}
}

// metricsServer is the listener of its own that MetricsAddr asks for.
type metricsServer struct {
	ln  net.Listener
	srv *http.Server
}

// startMetrics opens MetricsAddr's listener, when it names one, and
// serves /metrics there (and nothing else).
func (a *App) startMetrics() error {
	if a.cfg.MetricsAddr == "" || a.cfg.MetricsAddr == MetricsOff {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listening on %s (metrics-addr): %w", a.cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+metricsPath, a.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	a.metricsSrv = &metricsServer{ln: ln, srv: srv}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	a.log.Info("serving metrics", "url", a.MetricsURL())
	return nil
}

// stopMetrics closes MetricsAddr's listener, if one is open.
func (a *App) stopMetrics(ctx context.Context) error {
	if a.metricsSrv == nil {
		return nil
	}
	return a.metricsSrv.srv.Shutdown(ctx)
}

// MetricsURL returns where the Prometheus metrics are served, once
// started: on the main listener, on MetricsAddr's own, or "" when off.
func (a *App) MetricsURL() string {
	switch {
	case a.metricsSrv != nil:
		return "http://" + a.metricsSrv.ln.Addr().String() + metricsPath
	case a.cfg.MetricsAddr == "" && a.ln != nil:
		return a.URL() + metricsPath
	}
	return ""
}
