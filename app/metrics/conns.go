package metrics

import "github.com/prometheus/client_golang/prometheus"

// connSeries describe the TCP connections of the main listener: how many
// are open and the cap (read when scraped), those refused over a cap, and
// the accept errors that were retried.
type connSeries struct {
	refused      *prometheus.CounterVec
	acceptErrors *prometheus.CounterVec
}

func newConnSeries(reg prometheus.Registerer, open func() (open, max int)) connSeries {
	s := connSeries{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "tcp_refused_total",
			Help: "TCP connections closed as soon as accepted, over a cap, by reason: total (-max-tcp) or per_ip (-max-tcp-per-ip).",
		}, []string{"reason"}),
		acceptErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "accept_errors_total",
			Help: "Accept errors on the main listener that were retried after a pause, by errno: EMFILE (the process is out of descriptors), ENFILE (the system is), ENOBUFS, ENOMEM, ECONNABORTED, …",
		}, []string{"reason"}),
	}
	reg.MustRegister(s.refused, s.acceptErrors)
	if open == nil {
		return s
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "tcp_connections",
			Help: "TCP connections open on the main listener (HTTP and WebSockets).",
		}, func() float64 { n, _ := open(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "tcp_connections_max",
			Help: "The cap on TCP connections open on the main listener (-max-tcp, or the descriptor limit less -fd-reserve); 0: none.",
		}, func() float64 { _, n := open(); return float64(n) }),
	)
	return s
}

// ConnRefused counts a connection closed over a cap, for reason.
func (m *Metrics) ConnRefused(reason string) { m.conns.refused.WithLabelValues(reason).Inc() }

// AcceptFailed counts a retried accept error, by errno name.
func (m *Metrics) AcceptFailed(reason string) { m.conns.acceptErrors.WithLabelValues(reason).Inc() }
