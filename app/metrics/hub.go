package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/danmaku/danmaku/app/hub"
)

// hubSeries count the rooms' fan-out, per frame: the hub reports each
// frame once with the size of its room (hub.Observer), so nothing here
// runs per socket.
type hubSeries struct {
	frames            [len(hub.FrameKinds)]prometheus.Counter
	deliveries        [len(hub.FrameKinds)]prometheus.Counter
	commentDeliveries prometheus.Counter
	frameComments     prometheus.Histogram
}

func newHubSeries(reg prometheus.Registerer, rooms func() int) hubSeries {
	frames := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "hub_frames_total",
		Help: "Frames fanned out to rooms (each encoded once for all its sockets), by kind: comments, likes, presence, other.",
	}, []string{"kind"})
	deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "hub_deliveries_total",
		Help: "Frames handed to sockets by the rooms' fan-out (each frame × the sockets in its room), by kind.",
	}, []string{"kind"})
	s := hubSeries{
		commentDeliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "hub_comment_deliveries_total",
			Help: "Comments handed to sockets by the rooms' fan-out (each frame's comments × the sockets in its room).",
		}),
		frameComments: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "hub_frame_comments",
			Help:    "Comments per outgoing comments frame: how much the rooms' batching merges.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}),
	}
	for i, k := range hub.FrameKinds {
		s.frames[i] = frames.WithLabelValues(k.String())
		s.deliveries[i] = deliveries.WithLabelValues(k.String())
	}
	reg.MustRegister(frames, deliveries, s.commentDeliveries, s.frameComments)
	if rooms != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "rooms_active",
			Help: "Rooms with at least one viewer socket on this node.",
		}, func() float64 { return float64(rooms()) }))
	}
	return s
}

var _ hub.Observer = (*Metrics)(nil)

// Frame implements hub.Observer.
func (m *Metrics) Frame(kind hub.FrameKind, comments, sockets int) {
	i := int(kind)
	if i < 0 || i >= len(m.hub.frames) {
		i = int(hub.FrameOther)
	}
	m.hub.frames[i].Inc()
	m.hub.deliveries[i].Add(float64(sockets))
	if kind == hub.FrameComments {
		m.hub.frameComments.Observe(float64(comments))
		m.hub.commentDeliveries.Add(float64(comments * sockets))
	}
}
