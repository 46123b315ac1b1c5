package cluster_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/hub/cluster"
	"github.com/danmaku/danmaku/app/internal/redistest"
	"github.com/danmaku/danmaku/app/protocol"
)

// memStore is the room's committed comments, as the store would hold them.
type memStore struct {
	mu       sync.Mutex
	comments map[string][]protocol.Comment
	last     map[string]int64
}

func newMemStore() *memStore {
	return &memStore{comments: map[string][]protocol.Comment{}, last: map[string]int64{}}
}

// commit stores n comments in room and returns them with their seqs.
func (s *memStore) commit(room string, n int) []protocol.Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]protocol.Comment, n)
	for i := range out {
		s.last[room]++
		out[i] = protocol.Comment{ID: s.last[room], Room: room, Seq: s.last[room], Text: fmt.Sprint("c", s.last[room])}
	}
	s.comments[room] = append(s.comments[room], out...)
	return out
}

func (s *memStore) CommentsAfter(_ context.Context, room string, after int64, limit int) ([]protocol.Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []protocol.Comment
	for _, c := range s.comments[room] {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *memStore) LastSeq(_ context.Context, room string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[room], nil
}

// recorder is a room subscriber that records what it is delivered.
type recorder struct {
	mu       sync.Mutex
	seqs     []int64
	data     [][]byte
	order    []string // "c<seq>" and "d<data>" in delivery order
	presence int
	changed  chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) deliver(m hub.Message) {
	r.mu.Lock()
	for _, c := range m.Comments {
		r.seqs = append(r.seqs, c.Seq)
		r.order = append(r.order, fmt.Sprint("c", c.Seq))
	}
	if m.Data != nil {
		r.data = append(r.data, m.Data)
		r.order = append(r.order, "d"+string(m.Data))
	}
	if m.Presence {
		r.presence++
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// wait waits until ok holds of what r recorded.
func (r *recorder) wait(t *testing.T, what string, ok func(*recorder) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		done := ok(r)
		r.mu.Unlock()
		if done {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; delivered %v", what, r.order)
		}
	}
}

// gapless reports whether seqs are exactly from..to in order.
func gapless(seqs []int64, from, to int64) bool {
	if int64(len(seqs)) != to-from+1 {
		return false
	}
	for i, s := range seqs {
		if s != from+int64(i) {
			return false
		}
	}
	return true
}

func newBroker(t *testing.T, st cluster.Store, redisURL string, opts cluster.Options) *cluster.Broker {
	t.Helper()
	opts.Store = st
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if redisURL != "" {
		c, err := cluster.Connect(redisURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		opts.Redis = c
	}
	b, err := cluster.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// waitReady waits until b's subscriber is connected.
func waitReady(t *testing.T, b *cluster.Broker) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for b.Ready() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("broker not connected: %v", b.Ready())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOrderedExactlyOnce(t *testing.T) {
	srv := redistest.Start(t)
	st := newMemStore()
	st.commit("r", 3) // history before anyone joined
	// A long GapWait: every comment must come over Redis, none from the store.
	slow := cluster.Options{GapWait: time.Minute, CheckEvery: time.Minute}
	a, b := newBroker(t, st, srv.URL(), slow), newBroker(t, st, srv.URL(), slow)
	waitReady(t, a)
	waitReady(t, b)
	ra, rb := newRecorder(), newRecorder()
	if _, err := a.Subscribe("r", ra.deliver); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe("r", rb.deliver); err != nil {
		t.Fatal(err)
	}
	waitSubscribed(t, a, b, st)
	ctx := context.Background()
	for i := range 20 {
		pub := a
		if i%2 == 1 {
			pub = b
		}
		if err := pub.Publish(ctx, hub.Message{Room: "r", Comments: st.commit("r", 1+i%3)}); err != nil {
			t.Fatal(err)
		}
	}
	last, _ := st.LastSeq(ctx, "r")
	for name, r := range map[string]*recorder{"a": ra, "b": rb} {
		r.wait(t, name+" has every comment", func(r *recorder) bool { return len(r.seqs) >= int(last-3) })
		r.mu.Lock()
		if !gapless(r.seqs, 4, last) {
			t.Errorf("%s delivered %v, want 4..%d once each in order", name, r.seqs, last)
		}
		r.mu.Unlock()
	}
	if a.Filled()+b.Filled() != 0 {
		t.Errorf("%d comments were read from the store; all should have come over redis", a.Filled()+b.Filled())
	}
}

// waitSubscribed publishes a probe until every broker's subscriber gets
// it, so that the test starts with every subscription in place.
func waitSubscribed(t *testing.T, a, b *cluster.Broker, st *memStore) {
	t.Helper()
	probe := newRecorder()
	unsub, err := b.Subscribe("probe", probe.deliver)
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	for i := 0; ; i++ {
		_ = a.Publish(context.Background(), hub.Message{Room: "probe", Data: []byte("p"), User: "x"})
		probe.mu.Lock()
		n := len(probe.data)
		probe.mu.Unlock()
		if n > 0 {
			return
		}
		if i > 500 {
			t.Fatal("the subscriptions never took")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
