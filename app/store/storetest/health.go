package storetest

import (
	"context"
	"testing"
	"time"
)

// testHealth: a migrated, open store is ready and lacks no migration.
func testHealth(t *testing.T, b Backend) {
	s := open(t, b, Hooks{})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	before := s.WriterStats()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if after := s.WriterStats(); after.Batches != before.Batches+1 {
		t.Fatalf("Ready committed %d transactions, want one real write", after.Batches-before.Batches)
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("Pending = %+v, %v; want none", pending, err)
	}
	// A store that cannot write is not ready, and says so in time.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.Ready(short); err == nil {
		t.Fatal("a closed store is ready")
	}
}
