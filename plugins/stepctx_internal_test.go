package plugins

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestStepCtx(t *testing.T) {
	t.Run("deadline is the earlier of step and parent", func(t *testing.T) {
		soon := time.Now().Add(time.Hour)
		parent, cancel := context.WithDeadline(t.Context(), soon)
		defer cancel()
		c := newStepCtx(parent, soon.Add(time.Hour))
		if d, ok := c.Deadline(); !ok || !d.Equal(soon) {
			t.Errorf("Deadline = %v %v, want parent's %v", d, ok, soon)
		}
		c2 := newStepCtx(parent, soon.Add(-time.Minute))
		if d, _ := c2.Deadline(); !d.Equal(soon.Add(-time.Minute)) {
			t.Errorf("Deadline = %v, want the step's", d)
		}
	})
	t.Run("expired deadline shows in Err and Done without a timer", func(t *testing.T) {
		c := newStepCtx(context.Background(), time.Now().Add(-time.Millisecond))
		if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Err = %v", err)
		}
		<-c.Done() // closed already
	})
	t.Run("Done closes at the deadline", func(t *testing.T) {
		c := newStepCtx(context.Background(), time.Now().Add(5*time.Millisecond))
		<-c.Done()
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Errorf("Err = %v", c.Err())
		}
	})
	t.Run("parent cancel propagates", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		c := newStepCtx(parent, time.Now().Add(time.Hour))
		done := c.Done()
		cancel()
		<-done
		if !errors.Is(c.Err(), context.Canceled) {
			t.Errorf("Err = %v", c.Err())
		}
	})
	t.Run("release ends it and derived contexts", func(t *testing.T) {
		c := newStepCtx(context.Background(), time.Now().Add(time.Hour))
		child, cancel := context.WithCancel(c)
		defer cancel()
		c.release()
		<-child.Done()
		if c.Err() != context.Canceled || c.Value("k") != nil {
			t.Errorf("Err = %v", c.Err())
		}
	})
}

func TestPackState(t *testing.T) {
	tests := []struct {
		i int
		d time.Duration
	}{{0, 0}, {3, 50 * time.Millisecond}, {999, 70 * time.Hour}}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			s := packState(tt.i, tt.d)
			if s == stateFinished || s == stateAbandoned {
				t.Fatalf("packState collides with a marker")
			}
			if i, d := unpackState(s); i != tt.i || d != tt.d {
				t.Errorf("unpack(pack(%d, %v)) = %d, %v", tt.i, tt.d, i, d)
			}
		})
	}
}

func TestStepCtxReuse(t *testing.T) {
	tests := []struct {
		name      string
		armDone   bool
		wantReuse bool
	}{
		{"unarmed context is reused", false, true},
		{"armed context is replaced", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newStepCtx(context.Background(), time.Now().Add(time.Hour))
			if tt.armDone {
				c.Done()
			}
			c.release()
			next := c.reuse(context.Background(), time.Now().Add(time.Hour))
			if (next == c) != tt.wantReuse {
				t.Fatalf("reused = %v, want %v", next == c, tt.wantReuse)
			}
			if next.Err() != nil {
				t.Errorf("reused context starts with Err = %v", next.Err())
			}
		})
	}
}
