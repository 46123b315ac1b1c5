package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/danmaku/danmaku/app/store"
)

// writerSeries describe the group-commit writer: its queue (read when
// scraped) and every transaction (batch.Options.Observe, any backend).
type writerSeries struct {
	seconds  prometheus.Histogram
	ops      prometheus.Histogram
	failures prometheus.Counter
}

func newWriterSeries(reg prometheus.Registerer, stats func() store.WriterStats, capacity int) writerSeries {
	s := writerSeries{
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "writer_commit_duration_seconds",
			Help:    "Time of each committed write transaction (group commit), from begin to commit.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		ops: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "writer_commit_ops",
			Help:    "Ops (comments, likes, moderation actions, …) per committed write transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 13), // 1 … 4096
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "writer_commit_failures_total",
			Help: "Write transactions that failed as a whole (their ops are then retried one by one).",
		}),
	}
	reg.MustRegister(s.seconds, s.ops, s.failures)
	if stats != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "writer_queue_depth",
			Help: "Ops waiting for the writer now.",
		}, func() float64 { return float64(stats().Queued) }))
	}
	if capacity > 0 {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "writer_queue_capacity",
			Help: "Ops the writer's queue holds before senders are pushed back (-writer-queue).",
		}, func() float64 { return float64(capacity) }))
	}
	return s
}

// Commit records one writer transaction; it is the store's
// WriterOptions.Observe.
func (m *Metrics) Commit(c store.Commit) {
	if c.Err != nil {
		m.writer.failures.Inc()
		return
	}
	m.writer.seconds.Observe(c.Took.Seconds())
	m.writer.ops.Observe(float64(c.Ops))
}
