package loadtest

import (
	"fmt"
	"io"
	"time"
)

// meter turns the run's counters into one progress line per call, with rates
// since the previous line.
type meter struct {
	r          *run
	probe      *procProbe
	start      time.Time
	prevAt     time.Time
	prevRecv   int64
	prevClient time.Duration
}

func newMeter(r *run, probe *procProbe, start time.Time) *meter {
	client, _ := selfUsage()
	return &meter{r: r, probe: probe, start: start, prevAt: start, prevClient: client}
}

// line writes e.g. "send  t=5s sent 1000 acked 1000 recv 4.99M/5.00M 998k/s p99 12.1ms server 1.62 cores 210MiB client 0.41 cores".
func (m *meter) line(w io.Writer, phase string) {
	now := time.Now()
	dt := now.Sub(m.prevAt)
	recv := m.r.receivedSoFar()
	client, _ := selfUsage()
	lat := m.r.latency.snapshot()
	fmt.Fprintf(w, "%-6s t=%ds sent %d", phase, int(now.Sub(m.start).Seconds()), m.r.sent.Load())
	if m.r.cfg.Mode == ModeJSON {
		fmt.Fprintf(w, " acked %d", m.r.acked.Load())
	}
	fmt.Fprintf(w, " recv %s/%s %s/s p99 %s", si(float64(recv)), si(float64(m.r.expectedSoFar())),
		si(float64(recv-m.prevRecv)/dt.Seconds()), ms(lat.quantile(0.99)))
	if cores, rss := m.probe.tick(dt); rss > 0 {
		fmt.Fprintf(w, " server %.2f cores %s", cores, mib(rss))
	}
	fmt.Fprintf(w, " client %.2f cores", float64(client-m.prevClient)/float64(dt))
	if d := m.r.dropped.Load(); d > 0 {
		fmt.Fprintf(w, " DROPPED %d", d)
	}
	fmt.Fprintln(w)
	m.prevAt, m.prevRecv, m.prevClient = now, recv, client
}

// si formats n with a k/M/G suffix.
func si(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

// ms formats nanoseconds as milliseconds.
func ms(ns uint64) string { return fmt.Sprintf("%.1fms", float64(ns)/1e6) }

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.0fMiB", float64(b)/(1<<20)) }
