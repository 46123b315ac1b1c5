package metrics

import "github.com/prometheus/client_golang/prometheus"

// socketSeries describe the WebSockets: how many are open (read when
// scraped), the server's reasons for closing them, and refused credentials.
type socketSeries struct {
	closes       *prometheus.CounterVec
	authFailures *prometheus.CounterVec
}

func newSocketSeries(reg prometheus.Registerer, open func() (viewers, moderators int)) socketSeries {
	s := socketSeries{
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "socket_closes_total",
			Help: "WebSockets the server closed, by reason: slow (send buffer full), write_timeout (a write took longer than -write-wait), rate_limit (kept sending over -frame-rate), auth_timeout, token_expired, signed_out, unauthorized, banned (4003: the user or address is banned from the room).",
		}, []string{"reason"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "auth_failures_total",
			Help: "Credentials refused (Bearer headers, token query parameters, auth frames, DPlayer tokens, the sign-in form), by reason: invalid, expired, guests_off, ended (a signed-out session, or a token ended by a sign-out everywhere).",
		}, []string{"reason"}),
	}
	reg.MustRegister(s.closes, s.authFailures)
	if open == nil {
		return s
	}
	for _, kind := range []string{"viewer", "moderator"} {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "sockets_open",
			Help:        "Open WebSockets on this node, by kind: viewer (/ws) or moderator (/ws/admin).",
			ConstLabels: prometheus.Labels{"kind": kind},
		}, func() float64 {
			viewers, moderators := open()
			if kind == "moderator" {
				return float64(moderators)
			}
			return float64(viewers)
		}))
	}
	return s
}

// SocketClosed counts a WebSocket the server closed, for reason.
func (m *Metrics) SocketClosed(reason string) { m.sockets.closes.WithLabelValues(reason).Inc() }

// AuthFailed counts refused credentials, for reason.
func (m *Metrics) AuthFailed(reason string) { m.sockets.authFailures.WithLabelValues(reason).Inc() }
