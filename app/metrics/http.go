package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpSeries count HTTP requests by route pattern (never the raw path,
// which would make a series per room or comment) and status.
type httpSeries struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPSeries(reg prometheus.Registerer) httpSeries {
	s := httpSeries{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests by method, route pattern (e.g. /api/rooms/:id/comments; \"other\" when no route took it) and status; a WebSocket handshake counts once, as 101.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request (a WebSocket handshake: until the upgrade), by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(s.requests, s.duration)
	return s
}

// Request counts one answered HTTP request.
func (m *Metrics) Request(method, route string, status int, took time.Duration) {
	m.http.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.http.duration.WithLabelValues(method, route).Observe(took.Seconds())
}
