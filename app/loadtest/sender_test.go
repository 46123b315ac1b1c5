package loadtest

import (
	"context"
	"testing"
	"time"
)

// TestSendersWaitForAcksPastTheServersLimit: a socket with maxUnacked
// comments unanswered gets no slot until one is answered.
func TestSendersWaitForAcksPastTheServersLimit(t *testing.T) {
	r := &run{}
	s := &socket{unacked: make(chan struct{}, maxUnacked)}
	ctx := context.Background()
	for i := range maxUnacked {
		if !r.claimSlot(ctx, s, time.Now().Add(time.Minute)) {
			t.Fatalf("slot %d refused below the limit", i)
		}
	}
	if r.claimSlot(ctx, s, time.Now().Add(20*time.Millisecond)) {
		t.Fatal("a slot past the limit was given without an ack")
	}
	s.answered()
	if !r.claimSlot(ctx, s, time.Now().Add(time.Minute)) {
		t.Fatal("no slot after an ack")
	}
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	if r.claimSlot(stopped, s, time.Now().Add(time.Minute)) {
		t.Fatal("a slot was given after the run stopped")
	}
}
