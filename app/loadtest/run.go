package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// maxErrorKinds bounds each error tally; rarer kinds fold into "other".
const maxErrorKinds = 16

// run is the state of one load run.
type run struct {
	cfg     Config
	plan    plan
	id      string
	rooms   []roomState
	socks   []*socket
	latency recorder
	sync    []byte // raw-mode barrier frame

	stopping  atomic.Bool
	unjoined  atomic.Int64
	allJoined chan struct{}
	readers   sync.WaitGroup
	senders   sync.WaitGroup

	sent, acked, rejected, unmatchedAcks, dropped atomic.Int64

	mu                                    sync.Mutex
	rejectCodes, serverErrors, sendErrors map[string]int64
}

// roomState is a room's sequence allocator and its set of accepted comments.
type roomState struct {
	next      atomic.Int64
	accepted  atomicBitset
	nAccepted atomic.Int64
}

// accept marks seq accepted and reports whether it was not already.
func (rm *roomState) accept(seq int) bool {
	if !rm.accepted.set(seq) {
		return false
	}
	rm.nAccepted.Add(1)
	return true
}

// Run opens the sockets, waits until all have joined, sends for cfg.Duration,
// drains, and reports. It writes a progress line per second to progress (nil
// for none). On failure it returns the report so far together with the error.
func Run(ctx context.Context, cfg Config, progress io.Writer) (Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Report{}, fmt.Errorf("loadtest: %w", err)
	}
	if err := checkTarget(ctx, cfg); err != nil {
		return Report{}, fmt.Errorf("loadtest: %w", err)
	}
	churning := int(cfg.Churn*cfg.ChurnHold.Seconds()*1.5) + 1 // at most this many churning sockets at once
	if err := ensureFileLimit(cfg.Sockets() + churning); err != nil {
		return Report{}, fmt.Errorf("loadtest: %w", err)
	}
	p, err := makePlan(cfg)
	if err != nil {
		return Report{}, fmt.Errorf("loadtest: %w", err)
	}
	if progress == nil {
		progress = io.Discard
	}
	r := newRun(cfg, p)
	rep, err := r.execute(ctx, progress)
	if err != nil {
		return rep, fmt.Errorf("loadtest: %w", err)
	}
	return rep, nil
}

func newRun(cfg Config, p plan) *run {
	r := &run{
		cfg: cfg, plan: p, id: newRunID(),
		rooms:        make([]roomState, len(p.rooms)),
		socks:        make([]*socket, len(p.sockets)),
		allJoined:    make(chan struct{}),
		rejectCodes:  map[string]int64{},
		serverErrors: map[string]int64{},
		sendErrors:   map[string]int64{},
	}
	r.sync = []byte(syncWord + r.id)
	for i := range r.rooms {
		r.rooms[i].accepted = newAtomicBitset(p.rooms[i].budget)
	}
	for i, room := range p.sockets {
		r.socks[i] = &socket{idx: i, room: room, seen: newBitset(p.rooms[room].budget)}
	}
	r.unjoined.Store(int64(len(r.socks)))
	return r
}

// execute runs the phases: connect, join, send, drain, close, then reports.
func (r *run) execute(ctx context.Context, pw io.Writer) (Report, error) {
	probe := newProcProbe(r.cfg.PID)
	t0 := time.Now()
	err := r.ramp(ctx, pw)
	if err == nil {
		err = r.join(ctx, pw, t0)
	}
	connected := time.Since(t0)
	if err != nil {
		r.closeAll()
		return r.report(reportInput{connect: connected}), err
	}
	probe.connected()

	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	end := start.Add(r.cfg.Duration)
	probe.begin()
	for _, sp := range r.plan.senders {
		r.senders.Add(1)
		go r.send(sendCtx, r.socks[sp.sock], sp, start, end)
	}
	var ch churn
	churnWindow, stopChurn := context.WithDeadline(ctx, end)
	defer stopChurn()
	churned := make(chan struct{})
	go func() { defer close(churned); ch.run(churnWindow, ctx, r) }()
	m := newMeter(r, probe, start)
	r.waitSenders(ctx, pw, m, end)
	stopChurn()
	<-churned
	r.drain(ctx, pw, m)
	cancel()
	r.senders.Wait()
	probe.end()
	r.closeAll()
	rep := r.report(reportInput{connect: connected, start: start, probe: probe})
	ch.fill(&rep)
	if err := ctx.Err(); err != nil {
		rep.Interrupted = true
		return rep, fmt.Errorf("interrupted: %w", err)
	}
	return rep, nil
}

// waitSenders returns once every sender has used its budget or time and
// cfg.Duration has passed (an idle run holds its sockets that long), or ctx ends.
func (r *run) waitSenders(ctx context.Context, pw io.Writer, m *meter, end time.Time) {
	done := make(chan struct{})
	go func() { r.senders.Wait(); close(done) }()
	until := time.NewTimer(time.Until(end))
	defer until.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for sending, timeLeft := true, true; sending || timeLeft; {
		select {
		case <-done:
			sending, done = false, nil
		case <-until.C:
			timeLeft = false
		case <-ctx.Done():
			return
		case <-tick.C:
			m.line(pw, "send")
		}
	}
}

// drain waits up to cfg.Drain for outstanding acks and deliveries, ending
// early once every accepted comment has reached every joined socket.
func (r *run) drain(ctx context.Context, pw io.Writer, m *meter) {
	deadline := time.NewTimer(r.cfg.Drain)
	defer deadline.Stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	lastLine := time.Now()
	for !r.settled() {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-poll.C:
			if time.Since(lastLine) >= time.Second {
				m.line(pw, "drain")
				lastLine = time.Now()
			}
		}
	}
}

// settled reports that no ack is outstanding and deliveries have caught up.
func (r *run) settled() bool {
	if r.cfg.Mode == ModeJSON && r.sent.Load() > r.acked.Load()+r.rejected.Load()+r.unmatchedAcks.Load() {
		return false
	}
	return r.receivedSoFar() >= r.expectedSoFar()
}

// receivedSoFar is the first-time receipts of this run's comments on all sockets.
func (r *run) receivedSoFar() int64 {
	var n int64
	for _, s := range r.socks {
		n += s.delivered.Load()
	}
	return n
}

// expectedSoFar is accepted comments × room members (every socket that joined).
func (r *run) expectedSoFar() int64 {
	var n int64
	for i := range r.rooms {
		n += r.rooms[i].nAccepted.Load() * int64(r.plan.rooms[i].members)
	}
	return n
}

// closeAll sends every socket a close frame (all sharing one short deadline,
// so a stuck server cannot stall this) and waits for the readers to exit.
func (r *run) closeAll() {
	r.stopping.Store(true)
	deadline := time.Now().Add(time.Second)
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	for _, s := range r.socks {
		if s.conn != nil {
			_ = s.conn.WriteControl(websocket.CloseMessage, msg, deadline)
			_ = s.conn.Close()
		}
	}
	r.readers.Wait()
}

// count adds one to an error tally of the run's.
func (r *run) count(m map[string]int64, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	bump(m, key)
}

// bump adds one to an error tally (whose lock the caller holds), folding
// kinds past maxErrorKinds into "other".
func bump(m map[string]int64, key string) {
	if _, ok := m[key]; !ok && len(m) >= maxErrorKinds {
		key = "other"
	}
	m[key]++
}

// tally renders an error tally as "N× kind", most frequent first.
func tally(m map[string]int64) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%d× %s", m[k], k))
	}
	return out
}
