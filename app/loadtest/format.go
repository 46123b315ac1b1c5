package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as indented JSON.
func (rep Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("loadtest: writing report: %w", err)
	}
	return nil
}

// WriteText writes the report for a person, one aspect per line.
func (rep Report) WriteText(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	mode := string(rep.Mode)
	if rep.Mode == ModeJSON {
		mode += fmt.Sprintf(" v%d", rep.Wire)
	}
	p("loadtest %s %s run %s: %d rooms, %d sockets (%d viewers + %d senders), %.0f comments/s for %.0fs",
		mode, rep.Addr, rep.RunID, rep.Rooms, rep.Sockets, rep.Viewers, rep.Senders, rep.OfferedRate, rep.DurationSec)
	p("connect    %.2fs, %d dropped during the run", rep.ConnectSec, rep.Dropped)
	if rep.ChurnOpened+rep.ChurnRetried+rep.ChurnFailed > 0 {
		p("churn      %d sockets joined and left, %d dials tried again %v, %d refused", rep.ChurnOpened, rep.ChurnRetried, rep.ChurnRetryErrors, rep.ChurnFailed)
	}
	comments := fmt.Sprintf("comments   planned %d, sent %d, accepted %d", rep.Planned, rep.Sent, rep.Accepted)
	if rep.Mode == ModeJSON {
		comments += fmt.Sprintf(" (acked %d, rejected %d, unmatched acks %d)", rep.Acked, rep.Rejected, rep.UnmatchedAcks)
	}
	p("%s", comments)
	p("delivery   %d of %d expected, lost %d (%.4f%%), duplicates %d", rep.Delivered, rep.Expected, rep.Lost, 100*rep.LossRatio, rep.Duplicates)
	if n := rep.Unaccepted + rep.CrossRoom + rep.Bogus + rep.Malformed; n > 0 || rep.Foreign > 0 {
		p("anomalies  unaccepted %d, cross-room %d, bogus %d, malformed %d, foreign %d",
			rep.Unaccepted, rep.CrossRoom, rep.Bogus, rep.Malformed, rep.Foreign)
	}
	l := rep.Latency
	p("latency    p50 %.2fms  p90 %.2fms  p99 %.2fms  p99.9 %.2fms  max %.2fms  (%d samples)", l.P50, l.P90, l.P99, l.P999, l.Max, l.Count)
	p("throughput %.0f deliveries/s over %.2fs", rep.DeliveriesPerSec, rep.WindowSec)
	if s := rep.Server; s != nil {
		p("server     pid %d: %.2f CPU-s = %.3f µs/delivery; RSS %s start, %s connected (%.1f KiB/conn), %s peak, %s end",
			s.PID, s.CPUSec, s.CPUMicrosPerDelivery, mib(s.RSSStart), mib(s.RSSConnected), float64(s.RSSPerConn)/1024, mib(s.RSSPeak), mib(s.RSSEnd))
		if s.Error != "" {
			p("server     stats error: %s", s.Error)
		}
	}
	p("client     %.2f CPU-s = %.3f µs/delivery; peak RSS %s", rep.Client.CPUSec, rep.Client.CPUMicrosPerDelivery, mib(rep.Client.RSSPeak))
	if h := rep.Host; h.CPUSec > 0 {
		p("host       %d cores, %.2f CPU-s busy in the window, %.2f of it by other processes", h.Cores, h.CPUSec, h.OtherSec)
	}
	for _, e := range tally(rep.RejectCodes) {
		p("rejected   %s", e)
	}
	for _, e := range tally(rep.ServerErrs) {
		p("server err %s", e)
	}
	for _, e := range rep.Errors {
		p("error      %s", e)
	}
	if rep.Interrupted {
		p("INTERRUPTED: numbers cover only part of the run")
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("loadtest: writing report: %w", err)
	}
	return nil
}
