package loadtest

import (
	"runtime"
	"time"
)

// Report is the outcome of a run; see Run. Counts are comments or deliveries.
type Report struct {
	Mode        Mode    `json:"mode"`
	Wire        int     `json:"wire,omitempty"` // json mode's wire version
	Addr        string  `json:"addr"`
	RunID       string  `json:"run_id"`
	Rooms       int     `json:"rooms"`
	Viewers     int     `json:"viewers"`
	Senders     int     `json:"senders"`
	Sockets     int     `json:"sockets"`
	Sources     int     `json:"sources"`
	OfferedRate float64 `json:"offered_rate"` // comments/s over all rooms, as planned
	DurationSec float64 `json:"duration_sec"`
	Interrupted bool    `json:"interrupted,omitempty"`

	ConnectSec float64 `json:"connect_sec"` // ramp and join
	// The churning sockets (-churn): ChurnOpened connected, joined and
	// left; ChurnRetried counts dials that failed on the network (a timeout,
	// a reset) and were tried again, as a client reconnects, with why in
	// ChurnRetryErrors; ChurnFailed counts handshakes the server refused
	// (also in Errors).
	ChurnOpened      int64    `json:"churn_opened,omitempty"`
	ChurnRetried     int64    `json:"churn_retried,omitempty"`
	ChurnRetryErrors []string `json:"churn_retry_errors,omitempty"`
	ChurnFailed      int64    `json:"churn_failed,omitempty"`
	Dropped          int64    `json:"dropped"` // sockets that disconnected before the end
	Errors           []string `json:"errors,omitempty"`

	Planned       int64            `json:"planned"`
	Sent          int64            `json:"sent"`
	Acked         int64            `json:"acked"`    // json mode: ok acks
	Rejected      int64            `json:"rejected"` // json mode: ok:false acks
	RejectCodes   map[string]int64 `json:"reject_codes,omitempty"`
	UnmatchedAcks int64            `json:"unmatched_acks,omitempty"`
	Accepted      int64            `json:"accepted"` // acked (json) or written (raw)

	// Expected counts each accepted comment once for every socket in its room
	// that stayed connected from join to the end, senders included; Delivered
	// counts those receipts. Lost = Expected − Delivered.
	Expected   int64            `json:"expected"`
	Delivered  int64            `json:"delivered"`
	Lost       int64            `json:"lost"`
	LossRatio  float64          `json:"loss_ratio"`
	Duplicates int64            `json:"duplicates"`
	Unaccepted int64            `json:"unaccepted"` // receipts of comments never accepted (json)
	CrossRoom  int64            `json:"cross_room"` // this run's comments seen in the wrong room
	Bogus      int64            `json:"bogus"`      // this run's IDs never sent
	Foreign    int64            `json:"foreign"`    // comments not from this run
	Malformed  int64            `json:"malformed"`  // frames that were not valid JSON
	ServerErrs map[string]int64 `json:"server_errors,omitempty"`

	Latency          Latency `json:"latency_ms"` // send to first receipt
	WindowSec        float64 `json:"window_sec"` // first send to last receipt
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`

	Server *ServerStats `json:"server,omitempty"`
	Client ClientStats  `json:"client"`
	Host   HostStats    `json:"host"`
}

// Latency holds send-to-receive quantiles in milliseconds (within 0.8%).
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// ServerStats is the server process's cost. CPU covers the window from the
// first send to the end of the drain; RSSPerConn is (connected − start) ÷ sockets.
type ServerStats struct {
	PID                  int     `json:"pid"`
	CPUSec               float64 `json:"cpu_sec"`
	CPUMicrosPerDelivery float64 `json:"cpu_us_per_delivery"`
	RSSStart             int64   `json:"rss_start_bytes"`
	RSSConnected         int64   `json:"rss_connected_bytes"`
	RSSPeak              int64   `json:"rss_peak_bytes"`
	RSSEnd               int64   `json:"rss_end_bytes"`
	RSSPerConn           int64   `json:"rss_per_conn_bytes"`
	Error                string  `json:"error,omitempty"`
}

// ClientStats is this process's own cost over the same window, so a reader
// can judge whether the client, not the server, was the limit.
type ClientStats struct {
	CPUSec               float64 `json:"cpu_sec"`
	CPUMicrosPerDelivery float64 `json:"cpu_us_per_delivery"`
	RSSPeak              int64   `json:"rss_peak_bytes"`
}

// HostStats is the whole machine's busy CPU over the window: what is left
// after the server and client is other load that may have skewed the run.
// Approximate: /proc/stat is tick-sampled and undercounts bursty work, so
// OtherSec is a hint (it can even come out below zero), not an exact figure.
type HostStats struct {
	Cores    int     `json:"cores"`
	CPUSec   float64 `json:"cpu_sec"`
	OtherSec float64 `json:"other_cpu_sec"` // host − server − client (server unknown without a PID)
}

// reportInput is what execute knows that the run state does not.
type reportInput struct {
	connect time.Duration
	start   time.Time // first send; zero when the run never got that far
	probe   *procProbe
}

// report assembles the Report; readers must have exited.
func (r *run) report(in reportInput) Report {
	c := r.cfg
	rep := Report{
		Mode: c.Mode, Wire: c.Wire, Addr: c.Addr, RunID: r.id,
		Rooms: c.Rooms, Viewers: c.Viewers, Senders: c.Senders, Sockets: c.Sockets(), Sources: len(c.Sources),
		OfferedRate: c.Rate, DurationSec: c.Duration.Seconds(),
		ConnectSec: in.connect.Seconds(),
		Dropped:    r.dropped.Load(),
		Planned:    r.plan.planned(),
		Sent:       r.sent.Load(), Acked: r.acked.Load(), Rejected: r.rejected.Load(),
		RejectCodes: r.rejectCodes, UnmatchedAcks: r.unmatchedAcks.Load(), ServerErrs: r.serverErrors,
	}
	if c.RoomRate > 0 {
		rep.OfferedRate = c.RoomRate * float64(c.Rooms)
	}
	rep.Errors = append(tally(r.sendErrors), r.dropErrors()...)

	accepted := make([]bitset, len(r.rooms))
	nAccepted := make([]int64, len(r.rooms))
	for i := range r.rooms {
		accepted[i] = r.rooms[i].accepted.snapshot()
		nAccepted[i] = r.rooms[i].nAccepted.Load()
		rep.Accepted += nAccepted[i]
	}
	stable := make([]int, len(r.rooms))
	var received, last int64
	for _, s := range r.socks {
		received += s.delivered.Load()
		last = max(last, s.lastRecv)
		rep.Duplicates += s.dups
		rep.CrossRoom += s.crossRoom
		rep.Bogus += s.bogus
		rep.Foreign += s.foreign
		rep.Malformed += s.malformed
		rep.Unaccepted += s.seen.countAndNot(accepted[s.room])
		if s.joined.Load() && s.err == nil {
			stable[s.room]++
			rep.Delivered += s.seen.countAnd(accepted[s.room])
		}
	}
	rep.Expected = expectedDeliveries(nAccepted, stable)
	rep.Lost = rep.Expected - rep.Delivered
	if rep.Expected > 0 {
		rep.LossRatio = float64(rep.Lost) / float64(rep.Expected)
	}
	rep.Latency = latencyOf(r.latency.snapshot())
	if !in.start.IsZero() && last > in.start.UnixNano() {
		window := time.Duration(last - in.start.UnixNano())
		rep.WindowSec = window.Seconds()
		rep.DeliveriesPerSec = float64(rep.Delivered) / window.Seconds()
	}
	if in.probe != nil {
		rep.Server, rep.Client = costs(in.probe, received, c.Sockets())
		rep.Host = hostOf(in.probe, rep.Server, rep.Client)
	}
	return rep
}

// dropErrors tallies why sockets dropped mid-run.
func (r *run) dropErrors() []string {
	m := map[string]int64{}
	for _, s := range r.socks {
		if s.err != nil {
			r.count(m, "dropped: "+s.err.Error())
		}
	}
	return tally(m)
}

func latencyOf(h histogram) Latency {
	msOf := func(ns uint64) float64 { return float64(ns) / 1e6 }
	return Latency{
		Count: int64(h.total),
		P50:   msOf(h.quantile(0.50)), P90: msOf(h.quantile(0.90)),
		P99: msOf(h.quantile(0.99)), P999: msOf(h.quantile(0.999)),
		Max: msOf(h.max),
	}
}

// costs derives server and client cost per first-time receipt (all sockets:
// the server did that work whether or not the socket later dropped).
func costs(p *procProbe, received int64, sockets int) (*ServerStats, ClientStats) {
	perDelivery := func(d time.Duration) float64 {
		if received == 0 {
			return 0
		}
		return float64(d) / 1e3 / float64(received)
	}
	client := p.clientStop - p.clientBegun
	cs := ClientStats{CPUSec: client.Seconds(), CPUMicrosPerDelivery: perDelivery(client), RSSPeak: p.clientPeakRSS}
	if p.pid <= 0 {
		return nil, cs
	}
	ss := &ServerStats{PID: p.pid, RSSStart: p.start.rss, RSSConnected: p.conn.rss, RSSPeak: p.peakRSS, RSSEnd: p.stop.rss}
	if p.err != nil {
		ss.Error = p.err.Error()
	}
	if p.haveStop {
		cpu := p.stop.cpu - p.begun.cpu
		ss.CPUSec, ss.CPUMicrosPerDelivery = cpu.Seconds(), perDelivery(cpu)
	}
	if p.haveStart && p.haveConn && sockets > 0 {
		ss.RSSPerConn = (p.conn.rss - p.start.rss) / int64(sockets)
	}
	return ss, cs
}

func hostOf(p *procProbe, srv *ServerStats, cl ClientStats) HostStats {
	h := HostStats{Cores: runtime.NumCPU()}
	if p.hostStop > 0 {
		h.CPUSec = (p.hostStop - p.hostBegun).Seconds()
		h.OtherSec = h.CPUSec - cl.CPUSec
		if srv != nil {
			h.OtherSec -= srv.CPUSec
		}
	}
	return h
}
