package plugins

import (
	"sync/atomic"
	"time"
)

// LatencyBuckets are the upper bounds of the latency histogram buckets,
// fixed so snapshots from different plugins and reloads line up.
var LatencyBuckets = [...]time.Duration{
	10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, time.Second,
}

// counters are one chain entry's live counters: plain atomics, no locks.
type counters struct {
	allows, rewrites, rejects, holds, shadows atomic.Uint64
	errors, panics, timeouts, skipped         atomic.Uint64
	joins, joinRefusals                       atomic.Uint64
	shed                                      atomic.Uint64                   // failed fast: too many abandoned calls
	would                                     [ActionShadow + 1]atomic.Uint64 // dry run: verdicts not enforced
	latency                                   histogram
}

// verdict counts a successful call's action.
func (c *counters) verdict(a Action) {
	switch a {
	case ActionAllow:
		c.allows.Add(1)
	case ActionRewrite:
		c.rewrites.Add(1)
	case ActionReject:
		c.rejects.Add(1)
	case ActionHold:
		c.holds.Add(1)
	case ActionShadow:
		c.shadows.Add(1)
	}
}

// histogram counts observations per bucket; the last slot is +Inf.
type histogram struct {
	buckets [len(LatencyBuckets) + 1]atomic.Uint64
	sumNS   atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	i := 0
	for i < len(LatencyBuckets) && d > LatencyBuckets[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sumNS.Add(uint64(max(d, 0)))
}

// Stats is a snapshot of every chain's counters, ready for JSON.
type Stats struct {
	LoadedAt   time.Time             `json:"loaded_at"`   // counters start from zero at each (re)load
	ConfigHash string                `json:"config_hash"` // see Set.Hash
	Default    ChainStats            `json:"default"`
	Rooms      map[string]ChainStats `json:"rooms,omitempty"`
}

// ChainStats is one chain's snapshot, its plugins in chain order.
type ChainStats struct {
	Room    string        `json:"room,omitempty"` // empty for the default chain
	Plugins []PluginStats `json:"plugins"`
}

// PluginStats is one chain entry's counters. Calls counts every comment the
// entry was asked about; the verdict counters count successful calls,
// Errors (including Panics) and Timeouts count the failed ones, and
// Skipped the ones its open circuit breaker skipped, Shed the ones
// failed fast for too many abandoned calls. Breaker is the
// breaker's state ("closed", "open" or "half_open"; empty without one)
// and BreakerOpens how often it opened.
type PluginStats struct {
	Name         string    `json:"name"`
	Index        int       `json:"index"`
	OnError      OnError   `json:"on_error"`
	TimeoutMS    float64   `json:"timeout_ms"`
	Calls        uint64    `json:"calls"`
	Allows       uint64    `json:"allows"`
	Rewrites     uint64    `json:"rewrites"`
	Rejects      uint64    `json:"rejects"`
	Holds        uint64    `json:"holds"`
	Shadows      uint64    `json:"shadows"`
	Errors       uint64    `json:"errors"`
	Panics       uint64    `json:"panics"`
	Timeouts     uint64    `json:"timeouts"`
	Skipped      uint64    `json:"skipped"`
	Breaker      string    `json:"breaker,omitempty"`
	BreakerOpens uint64    `json:"breaker_opens"`
	Stuck        int64     `json:"stuck"`         // timed-out calls still running now (per instance)
	MaxAbandoned int64     `json:"max_abandoned"` // the cap on Stuck; -1: none (max_abandoned: off)
	Shed         uint64    `json:"shed"`          // calls failed fast because Stuck reached MaxAbandoned
	Demoted      bool      `json:"demoted"`       // a NonBlocking plugin moved to the worker path after overrunning
	Mode         EntryMode `json:"mode"`          // enforce or dry_run
	// DryRun counts, for a dry-run entry, the verdicts it would have
	// enforced, by action (rewrite, reject, hold, shadow).
	DryRun       map[string]uint64 `json:"dry_run,omitempty"`
	Joins        uint64            `json:"joins"`
	JoinRefusals uint64            `json:"join_refusals"`
	Latency      HistogramSnapshot `json:"latency"`
}

// HistogramSnapshot is a latency histogram in Prometheus shape: cumulative
// buckets; the +Inf bucket is Count (JSON has no infinity).
type HistogramSnapshot struct {
	Buckets    []Bucket `json:"buckets"`
	Count      uint64   `json:"count"`
	SumSeconds float64  `json:"sum_seconds"`
}

// Bucket is one cumulative histogram bucket.
type Bucket struct {
	LE    float64 `json:"le"` // upper bound in seconds
	Count uint64  `json:"count"`
}

func (h *histogram) snapshot() HistogramSnapshot {
	s := HistogramSnapshot{Buckets: make([]Bucket, len(LatencyBuckets))}
	var cum uint64
	for i, le := range LatencyBuckets {
		cum += h.buckets[i].Load()
		s.Buckets[i] = Bucket{LE: le.Seconds(), Count: cum}
	}
	s.Count = cum + h.buckets[len(LatencyBuckets)].Load()
	s.SumSeconds = time.Duration(h.sumNS.Load()).Seconds()
	return s
}

func (e *entry) snapshot() PluginStats {
	c := &e.stats
	ps := PluginStats{
		Name: e.name, Index: e.index, OnError: e.onError,
		TimeoutMS: float64(e.timeout) / float64(time.Millisecond),
		Allows:    c.allows.Load(), Rewrites: c.rewrites.Load(),
		Rejects: c.rejects.Load(), Holds: c.holds.Load(), Shadows: c.shadows.Load(),
		Errors: c.errors.Load(), Panics: c.panics.Load(), Timeouts: c.timeouts.Load(),
		Stuck: e.inst.stuck.Load(), MaxAbandoned: e.maxStuck, Shed: c.shed.Load(),
		Demoted: e.inst.demoted.Load(), Mode: ModeEnforce, Joins: c.joins.Load(), JoinRefusals: c.joinRefusals.Load(),
		Skipped: c.skipped.Load(), Latency: c.latency.snapshot(),
	}
	if b := e.breaker; b != nil {
		ps.Breaker, ps.BreakerOpens = BreakerState(b.state.Load()).String(), b.opens.Load()
	}
	if e.dryRun {
		ps.Mode, ps.DryRun = ModeDryRun, map[string]uint64{}
		for a := ActionRewrite; a <= ActionShadow; a++ {
			ps.DryRun[a.String()] = c.would[a].Load()
		}
	}
	// Every counted call lands in exactly one of these; deriving Calls
	// saves an atomic add per plugin per comment.
	ps.Calls = ps.Allows + ps.Rewrites + ps.Rejects + ps.Holds + ps.Shadows + ps.Errors + ps.Timeouts + ps.Skipped + ps.Shed
	return ps
}

// Stats returns a snapshot of the chain's counters.
func (ch *Chain) Stats() ChainStats {
	s := ChainStats{Room: ch.room, Plugins: make([]PluginStats, len(ch.entries))}
	for i, e := range ch.entries {
		s.Plugins[i] = e.snapshot()
	}
	return s
}
