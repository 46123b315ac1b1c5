package ttlmap

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestDo(t *testing.T) {
	m := New[string, int](10*time.Second, 1000)
	steps := []struct {
		name      string
		key       string
		at        time.Duration
		wantCount int
	}{
		{"new key starts at zero", "a", 0, 1},
		{"seen again", "a", 5 * time.Second, 2},
		{"still within ttl of last use", "a", 14 * time.Second, 3},
		{"other key independent", "b", 15 * time.Second, 1},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var count int
			m.Do(s.key, t0.Add(s.at), func(v *int) {
				*v++
				count = *v
			})
			if count != s.wantCount {
				t.Errorf("count %d, want %d", count, s.wantCount)
			}
		})
	}
}

func TestIdleKeysSwept(t *testing.T) {
	m := New[int, int](10*time.Second, 100000)
	for i := range 1000 {
		m.Do(i, t0, func(v *int) { *v = 1 })
	}
	for i := range 1000 { // later, every shard sees new keys and sweeps
		m.Do(-1-i, t0.Add(20*time.Second), func(*int) {})
	}
	if n := m.Len(); n != 1000 {
		t.Errorf("Len = %d, want 1000: the idle keys swept", n)
	}
	got := -1
	m.Do(5, t0.Add(20*time.Second), func(v *int) { got = *v })
	if got != 0 {
		t.Errorf("swept key came back as %d, want 0", got)
	}
}

func TestBounded(t *testing.T) {
	tests := []struct {
		name  string
		step  time.Duration // time between new keys
		limit int
	}{
		{"idle keys are swept", time.Second, 20 * shards},    // ttl 10s: ~10 live keys
		{"hard cap holds with all keys live", 0, 4 * shards}, // nothing idle
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New[int, int](10*time.Second, tt.limit)
			for i := range 10000 {
				m.Do(i, t0.Add(time.Duration(i)*tt.step), func(*int) {})
			}
			if n := m.Len(); n > tt.limit+shards {
				t.Errorf("Len = %d, want at most about %d", n, tt.limit)
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	m := New[string, int](time.Minute, 1000)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 500 {
				m.Do(fmt.Sprint(i%50), t0, func(v *int) { *v++ })
			}
		})
	}
	wg.Wait()
	total := 0
	for i := range 50 {
		m.Do(fmt.Sprint(i), t0, func(v *int) { total += *v })
	}
	if total != 2000 {
		t.Errorf("total = %d, want 2000", total)
	}
}
