// Package metrics keeps a server's Prometheus metrics on a registry of its
// own (never the global one, so one process can run many servers, as the
// tests do) and serves them in the Prometheus text format. The hub and the
// store know nothing of Prometheus: they report through small observer
// hooks, which this package adapts; gauges and the plugin latencies are
// read from their owners when scraped.
package metrics

import (
	"log/slog"
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// namespace prefixes every series of the server's own.
const namespace = "danmaku"

// Sources are what the gauges and the plugin collector read at scrape
// time. Every function must be safe to call from any goroutine; a nil one
// leaves its series out.
type Sources struct {
	Version string   // the build's version, for danmaku_build_info
	Vias    []string // the APIs comments arrive through, whose series start at zero

	Sockets       func() (viewers, moderators int) // open WebSockets on this node
	Rooms         func() int                       // rooms with viewers on this node
	Writer        func() store.WriterStats         // the writer's queue
	WriterQueueAt int                              // the writer queue's capacity
	Plugins       func() plugins.Stats             // the moderation chains' counters
	Conns         func() (open, max int)           // TCP connections on the main listener, and their cap

	Logger *slog.Logger // where scrape errors go; nil: slog.Default()
}

// Metrics is one server's metrics.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	comments commentSeries
	http     httpSeries
	hub      hubSeries
	writer   writerSeries
	sockets  socketSeries
	conns    connSeries
	reloads  reloadSeries
}

// New returns the metrics of one server, registered on a new registry with
// the Go runtime and process collectors.
func New(src Sources) *Metrics {
	if src.Logger == nil {
		src.Logger = slog.Default()
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace:   namespace,
			Name:        "build_info",
			Help:        "Always 1; the labels say which build is running.",
			ConstLabels: prometheus.Labels{"version": src.Version, "goversion": runtime.Version()},
		}, func() float64 { return 1 }),
	)
	m.comments = newCommentSeries(reg, src.Vias)
	m.http = newHTTPSeries(reg)
	m.hub = newHubSeries(reg, src.Rooms)
	m.writer = newWriterSeries(reg, src.Writer, src.WriterQueueAt)
	m.sockets = newSocketSeries(reg, src.Sockets)
	m.conns = newConnSeries(reg, src.Conns)
	m.reloads = newReloadSeries(reg)
	if src.Plugins != nil {
		reg.MustRegister(pluginCollector{stats: src.Plugins})
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(src.Logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError, // a failing collector must not hide the rest
		Registry:      reg,                      // counts scrape errors as promhttp_metric_handler_errors_total
	})
	return m
}

// Handler serves the metrics in the Prometheus text (or negotiated) format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Gatherer is the registry, for tests and embedding.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }
