package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/sqlite"
)

// commits records what the writer's Observe hook is told.
type commits struct {
	mu   sync.Mutex
	list []store.Commit
}

func (c *commits) observe(m store.Commit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, m)
}

// take returns the transactions observed since the last take, as
// "ops:ok" or "ops:failed", checking that each took some time.
func (c *commits) take(t *testing.T) []string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.list {
		if m.Took <= 0 {
			t.Errorf("a transaction of %d ops took %v", m.Ops, m.Took)
		}
		state := "ok"
		if m.Err != nil {
			state = "failed"
		}
		out = append(out, fmt.Sprintf("%d:%s", m.Ops, state))
	}
	c.list = nil
	return out
}

func TestWriterObserverSeesEveryTransaction(t *testing.T) {
	obs := &commits{}
	s := open(t, nil, func(o *sqlite.Options) { o.Writer.Observe = obs.observe })
	obs.take(t) // creating the test's room

	t.Run("group commit", func(t *testing.T) {
		release := blockWriter(t, s)
		var dones []chan error
		for range 100 {
			op, done := insert("r", "x")
			if err := s.Writer.Submit(context.Background(), op); err != nil {
				t.Fatal(err)
			}
			dones = append(dones, done)
		}
		if q := s.Writer.Stats().Queued; q != 100 {
			t.Errorf("queue depth %d while the writer is busy, want 100", q)
		}
		release()
		for _, d := range dones {
			if err := <-d; err != nil {
				t.Fatal(err)
			}
		}
		if got := obs.take(t); !slices.Equal(got, []string{"1:ok", "100:ok"}) {
			t.Errorf("observed %v, want the blocker, then the 100 queued ops in one commit", got)
		}
		if q := s.Writer.Stats().Queued; q != 0 {
			t.Errorf("queue depth %d once drained, want 0", q)
		}
	})

	t.Run("a failed batch and its retries", func(t *testing.T) {
		release := blockWriter(t, s)
		good, d1 := insert("r", "one")
		missing, d2 := insert("nope", "no such room") // fails alone, inside a committed transaction
		broken := &failingOp{err: errors.New("disk on fire"), done: make(chan error, 1)}
		for _, op := range []sqlite.Op{good, missing, broken} {
			if err := s.Writer.Submit(context.Background(), op); err != nil {
				t.Fatal(err)
			}
		}
		release()
		<-d1
		<-d2
		<-broken.done
		want := []string{"1:ok", "3:failed", "1:ok", "1:ok", "1:failed"}
		if got := obs.take(t); !slices.Equal(got, want) {
			t.Errorf("observed %v, want %v: the blocker, the batch that failed whole, then each op on its own", got, want)
		}
	})
}
