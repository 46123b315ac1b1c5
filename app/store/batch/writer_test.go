package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// op records its outcome.
type op struct{ done chan error }

func (o op) Apply(*[]int) error { return nil }
func (o op) Done(err error)     { o.done <- err }

// TestFailedBatches runs batches through a backend that fails the way the
// case says, and checks what each op is told and how often the backend
// was asked: a batch that failed is retried op by op, but one whose commit
// outcome is unknown is not retried at all.
func TestFailedBatches(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		code  errs.Code
		calls int // the batch, then one per op when it is retried
	}{
		{"rolled back", errors.New("disk on fire"), errs.Internal, 1 + 3},
		{"database down", errs.New(errs.Unavailable, "the database is unreachable"), errs.Unavailable, 1 + 3},
		{"outcome unknown", batch.Unknown(errors.New("connection reset during commit")), errs.Unavailable, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			hold, held := make(chan struct{}), make(chan struct{})
			w := batch.New(func(ops []batch.Op[*[]int]) ([]error, store.Events, error) {
				if calls++; calls == 1 {
					close(held)
					<-hold // the three ops queue up meanwhile and share the next batch
					return nil, store.Events{}, nil
				}
				return nil, store.Events{}, tc.err
			}, batch.Options{})
			defer w.Close()
			first := op{make(chan error, 1)}
			if err := w.Submit(context.Background(), first); err != nil {
				t.Fatal(err)
			}
			<-held
			ops := []op{{make(chan error, 1)}, {make(chan error, 1)}, {make(chan error, 1)}}
			for _, o := range ops {
				if err := w.Submit(context.Background(), o); err != nil {
					t.Fatal(err)
				}
			}
			close(hold)
			if err := <-first.done; err != nil {
				t.Fatalf("the first batch: %v", err)
			}
			for i, o := range ops {
				if err := <-o.done; errs.CodeOf(err) != tc.code {
					t.Errorf("op %d: %v, want %s", i, err, tc.code)
				}
			}
			if calls-1 != tc.calls {
				t.Errorf("the backend ran %d transactions for the failed batch, want %d", calls-1, tc.calls)
			}
			if st := w.Stats(); st.Batches != 1 || st.Ops != 1 {
				t.Errorf("stats %+v, want only the first batch counted", st)
			}
		})
	}
}
