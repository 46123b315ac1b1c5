package cluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/hub/cluster"
	"github.com/danmaku/danmaku/app/internal/redistest"
)

func TestGaps(t *testing.T) {
	srv := redistest.Start(t)
	fast := cluster.Options{GapWait: 30 * time.Millisecond, CheckEvery: 200 * time.Millisecond, PollEvery: 50 * time.Millisecond}
	tests := []struct {
		name string
		// run commits and publishes through a; b's recorder must end with
		// seqs 1..want and, when wantAfter is set, the data frame "x"
		// right after comment wantAfter.
		run       func(t *testing.T, a *cluster.Broker, st *memStore)
		from      int64 // 0: 1
		want      int64
		wantAfter int64
	}{
		{"a batch ahead of a lost one waits, then the gap is read", func(t *testing.T, a *cluster.Broker, st *memStore) {
			st.commit("r", 2) // committed, never published: its node died
			publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 2)})
		}, 0, 4, 0},
		{"a lost tail is found by the last-seq check", func(t *testing.T, a *cluster.Broker, st *memStore) {
			publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 2)})
			st.commit("r", 3)
		}, 0, 5, 0},
		{"a duplicate is dropped", func(t *testing.T, a *cluster.Broker, st *memStore) {
			batch := st.commit("r", 2)
			publish(t, a, hub.Message{Room: "r", Comments: batch})
			publish(t, a, hub.Message{Room: "r", Comments: batch})
			publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 1)})
		}, 0, 3, 0},
		{"a retraction waits for the comments before it", func(t *testing.T, a *cluster.Broker, st *memStore) {
			st.commit("r", 3) // never published
			publish(t, a, hub.Message{Room: "r", Data: []byte("x")})
		}, 0, 3, 3},
		{"a skipped range is stepped over without reading it", func(t *testing.T, a *cluster.Broker, st *memStore) {
			st.commit("r", 4) // imported: committed, not live
			publish(t, a, hub.Message{Room: "r", Skip: &hub.SeqRange{First: 1, Last: 4}})
			publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 1)})
		}, 5, 5, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			opts := fast
			opts.Prefix = "t" + string(rune('a'+i)) + ":"
			a, _, rb := twoNodes(t, st, srv.URL(), opts)
			tt.run(t, a, st)
			from := max(tt.from, 1)
			rb.wait(t, "every comment", func(r *recorder) bool {
				return len(r.seqs) >= int(tt.want-from+1) && (tt.wantAfter == 0 || len(r.data) > 0)
			})
			rb.mu.Lock()
			defer rb.mu.Unlock()
			if !gapless(rb.seqs, from, tt.want) {
				t.Errorf("delivered %v, want %d..%d once each in order", rb.seqs, from, tt.want)
			}
			if tt.wantAfter > 0 {
				i := slices.Index(rb.order, "dx")
				if i < 1 || rb.order[i-1] != "c3" {
					t.Errorf("delivery order %v: the retraction must come right after c%d", rb.order, tt.wantAfter)
				}
			}
		})
	}
}

func publish(t *testing.T, b *cluster.Broker, m hub.Message) {
	t.Helper()
	if err := b.Publish(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// TestStoreOnly runs two brokers without Redis: the other node's
// comments arrive by reading the store.
func TestStoreOnly(t *testing.T) {
	st := newMemStore()
	opts := cluster.Options{PollEvery: 20 * time.Millisecond, GapWait: 10 * time.Millisecond}
	a, b := newBroker(t, st, "", opts), newBroker(t, st, "", opts)
	ra, rb := newRecorder(), newRecorder()
	if _, err := a.Subscribe("r", ra.deliver); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe("r", rb.deliver); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 2)})
	}
	for name, r := range map[string]*recorder{"publisher": ra, "other node": rb} {
		r.wait(t, "every comment on the "+name, func(r *recorder) bool { return len(r.seqs) >= 10 })
		r.mu.Lock()
		if !gapless(r.seqs, 1, 10) {
			t.Errorf("%s delivered %v, want 1..10", name, r.seqs)
		}
		r.mu.Unlock()
	}
	if a.Ready() != nil || b.Ready() != nil {
		t.Error("a broker without redis must report ready")
	}
}

// TestRedisOutage kills Redis between batches: delivery goes on over the
// store, reports not ready, and goes back to Redis once it is back.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	st := newMemStore()
	opts := cluster.Options{GapWait: 20 * time.Millisecond, CheckEvery: time.Minute, PollEvery: 50 * time.Millisecond, NodeTTL: 600 * time.Millisecond}
	a, b, rb := twoNodes(t, st, srv.URL(), opts)
	publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 2)})
	rb.wait(t, "comments before the outage", func(r *recorder) bool { return len(r.seqs) >= 2 })

	srv.Kill()
	waitFor(t, "b to notice redis is gone", func() bool { return b.Ready() != nil })
	for range 3 {
		publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 1)})
	}
	rb.wait(t, "comments during the outage", func(r *recorder) bool { return len(r.seqs) >= 5 })

	srv.Restart()
	waitReady(t, a)
	waitReady(t, b)
	filled := b.Filled()
	waitSubscribed(t, a, b, st)
	publish(t, a, hub.Message{Room: "r", Comments: st.commit("r", 2)})
	rb.wait(t, "comments after the outage", func(r *recorder) bool { return len(r.seqs) >= 7 })
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if !gapless(rb.seqs, 1, 7) {
		t.Errorf("delivered %v, want 1..7 once each in order", rb.seqs)
	}
	if b.Filled() != filled {
		t.Errorf("after redis came back, %d comments came from the store; want them over redis", b.Filled()-filled)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// twoNodes starts two connected brokers, a and b, with b's recorder
// subscribed to room r.
func twoNodes(t *testing.T, st *memStore, redisURL string, opts cluster.Options) (a, b *cluster.Broker, rb *recorder) {
	t.Helper()
	a, b = newBroker(t, st, redisURL, opts), newBroker(t, st, redisURL, opts)
	waitReady(t, a)
	waitReady(t, b)
	rb = newRecorder()
	if _, err := b.Subscribe("r", rb.deliver); err != nil {
		t.Fatal(err)
	}
	waitSubscribed(t, a, b, st)
	return a, b, rb
}
