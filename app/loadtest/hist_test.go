package loadtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestBucketBounds(t *testing.T) {
	values := []uint64{0, 1, 127, 128, 129, 255, 256, 257, 1000, 1 << 20, 123456789, 1<<40 - 1}
	for _, v := range values {
		b := bucketOf(v)
		if b < 0 || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0,%d)", v, b, numBuckets)
		}
		if high := bucketHigh(b); high < v {
			t.Errorf("bucketHigh(bucketOf(%d)) = %d, below the value", v, high)
		}
		if b > 0 && bucketHigh(b-1) >= v {
			t.Errorf("value %d also fits bucket %d (high %d)", v, b-1, bucketHigh(b-1))
		}
		if rel := float64(bucketHigh(b)-v) / float64(max(v, 1)); rel > 1.0/subCount {
			t.Errorf("value %d: bucket top %d is %.4f above, want ≤ %.4f", v, bucketHigh(b), rel, 1.0/subCount)
		}
	}
	if got := bucketOf(1 << 50); got != numBuckets-1 {
		t.Errorf("bucketOf(2^50) = %d, want the top bucket %d", got, numBuckets-1)
	}
}

func TestQuantilesMatchSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := []struct {
		name string
		gen  func() uint64
	}{
		{"uniform 0-10ms", func() uint64 { return rng.Uint64N(10_000_000) }},
		{"lognormal around 1ms", func() uint64 { return uint64(math.Exp(rng.NormFloat64()*1.5) * 1e6) }},
		{"bimodal 50µs or 2s", func() uint64 {
			if rng.IntN(100) < 3 {
				return 2e9 + rng.Uint64N(1e8)
			}
			return 50_000 + rng.Uint64N(5000)
		}},
		{"small exact values", func() uint64 { return rng.Uint64N(100) }},
	}
	for _, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			var rec recorder
			samples := make([]uint64, 50_000)
			for i := range samples {
				samples[i] = d.gen()
				rec.record(i, samples[i])
			}
			slices.Sort(samples)
			h := rec.snapshot()
			if h.total != uint64(len(samples)) || h.max != samples[len(samples)-1] {
				t.Fatalf("total %d max %d, want %d and %d", h.total, h.max, len(samples), samples[len(samples)-1])
			}
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
				exact := samples[int(math.Ceil(q*float64(len(samples))))-1]
				assertClose(t, q, h.quantile(q), exact)
			}
		})
	}
}

func assertClose(t *testing.T, q float64, got, want uint64) {
	t.Helper()
	if got < want || float64(got-want) > float64(want)/subCount {
		t.Errorf("quantile(%v) = %d, want %d within +%.2f%%", q, got, want, 100.0/subCount)
	}
}

func TestQuantileEdgeCases(t *testing.T) {
	var empty recorder
	if got := empty.snapshot().quantile(0.99); got != 0 {
		t.Errorf("empty quantile = %d, want 0", got)
	}
	var one recorder
	one.record(3, 4_321_000)
	h := one.snapshot()
	for _, q := range []float64{0, 0.5, 1} {
		if got := h.quantile(q); got != 4_321_000 {
			t.Errorf("single sample: quantile(%v) = %d, want the sample (clamped to max)", q, got)
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	var rec recorder
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				rec.record(g, uint64(g*1000+i))
			}
		})
	}
	wg.Wait()
	h := rec.snapshot()
	if h.total != 8000 || h.max != 7999 {
		t.Fatalf("total %d max %d, want 8000 and 7999", h.total, h.max)
	}
}

func TestBitsets(t *testing.T) {
	b := newBitset(130)
	for _, i := range []int{0, 63, 64, 129} {
		if b.testAndSet(i) {
			t.Errorf("bit %d set before first testAndSet", i)
		}
		if !b.testAndSet(i) {
			t.Errorf("bit %d not set after testAndSet", i)
		}
	}
	acc := newAtomicBitset(130)
	for _, i := range []int{63, 100, 129} {
		if !acc.set(i) {
			t.Errorf("atomic set(%d) reported already set", i)
		}
	}
	if acc.set(100) {
		t.Error("atomic set(100) twice reported newly set")
	}
	a := acc.snapshot()
	if got := b.countAnd(a); got != 2 { // 63 and 129
		t.Errorf("countAnd = %d, want 2", got)
	}
	if got := b.countAndNot(a); got != 2 { // 0 and 64
		t.Errorf("countAndNot = %d, want 2", got)
	}
}
