package metrics

import "github.com/prometheus/client_golang/prometheus"

// commentSeries count comments by the API they came through (via) and,
// for the refused ones, by reason and deciding plugin. Labels are codes
// and names from fixed sets only: never rooms, users or free text.
type commentSeries struct {
	received, accepted *prometheus.CounterVec
	rejected           *prometheus.CounterVec
}

func newCommentSeries(reg prometheus.Registerer, vias []string) commentSeries {
	s := commentSeries{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "comments_received_total",
			Help: "Comments sent to the server, by the API they came through (via: ws, rest, dplayer).",
		}, []string{"via"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "comments_accepted_total",
			Help: "Comments stored visible and published to their room, by API.",
		}, []string{"via"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "comments_rejected_total",
			Help: "Comments not published, by API, reason (an error code such as invalid, rate_limited or unauthorized; or a plugin verdict: rejected, held, shadowed, plugin_error) and the plugin that decided (empty when none did).",
		}, []string{"via", "reason", "plugin"}),
	}
	reg.MustRegister(s.received, s.accepted, s.rejected)
	for _, via := range vias {
		s.received.WithLabelValues(via)
		s.accepted.WithLabelValues(via)
	}
	return s
}

// CommentReceived counts a comment that reached the server through via.
func (m *Metrics) CommentReceived(via string) { m.comments.received.WithLabelValues(via).Inc() }

// CommentAccepted counts a comment stored visible and published.
func (m *Metrics) CommentAccepted(via string) { m.comments.accepted.WithLabelValues(via).Inc() }

// CommentRejected counts a comment that was refused, held or shadowed:
// reason is an error code or a plugin verdict, plugin the plugin that
// decided ("" when none did).
func (m *Metrics) CommentRejected(via, reason, plugin string) {
	m.comments.rejected.WithLabelValues(via, reason, plugin).Inc()
}
