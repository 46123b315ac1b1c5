package storetest

import (
	"context"
	"testing"

	"github.com/danmaku/danmaku/app/store/batch"
)

// Hold occupies w with an op that waits until release is called, so that
// ops submitted meanwhile queue up and commit together after it. Backends
// implement Store.Hold with it.
func Hold[T any](t *testing.T, w *batch.Writer[T]) (release func()) {
	t.Helper()
	started, done := make(chan struct{}), make(chan struct{})
	go func() {
		_ = w.Exec(context.Background(), func(T) error {
			close(started)
			<-done
			return nil
		})
	}()
	<-started
	return func() { close(done) }
}

// Fail queues on w an op that fails its whole batch with err, the way a
// storage error does, and returns the channel its outcome comes on.
// Backends implement Store.Fail with it.
func Fail[T any](t *testing.T, w *batch.Writer[T], err error) <-chan error {
	t.Helper()
	op := failOp[T]{err: err, done: make(chan error, 1)}
	if err := w.Submit(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	return op.done
}

// failOp fails with err, which carries no client error code.
type failOp[T any] struct {
	err  error
	done chan error
}

func (o failOp[T]) Apply(T) error  { return o.err }
func (o failOp[T]) Done(err error) { o.done <- err }
