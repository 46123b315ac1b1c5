package loadtest

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// Histogram layout (HDR-style log-linear): values below 128 are exact, above
// that each power of two is split into 128 linear buckets, so a quantile is
// within 1/128 (<0.8%) of the true value in fixed memory.
const (
	subBits    = 7
	subCount   = 1 << subBits
	maxBits    = 40 // values from 2^40 ns (~18 min) on share the top bucket
	numBuckets = (maxBits - subBits + 1) * subCount
	histShards = 16 // spreads concurrent recorders over cache lines
)

func bucketOf(v uint64) int {
	v = min(v, 1<<maxBits-1)
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)<<subBits + int(v>>shift) - subCount
}

// bucketHigh is the largest value that lands in bucket b.
func bucketHigh(b int) uint64 {
	if b < subCount {
		return uint64(b)
	}
	shift := b>>subBits - 1
	mant := uint64(b&(subCount-1) + subCount)
	return (mant+1)<<shift - 1
}

// recorder is a concurrent histogram: many readers record, one merges.
type recorder struct {
	shards [histShards]recShard
}

type recShard struct {
	counts [numBuckets]atomic.Uint64
	max    atomic.Uint64
}

// record adds v to the shard chosen by the caller (e.g. its socket index).
func (r *recorder) record(shard int, v uint64) {
	s := &r.shards[shard%histShards]
	s.counts[bucketOf(v)].Add(1)
	for {
		m := s.max.Load()
		if v <= m || s.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// snapshot merges the shards into a histogram.
func (r *recorder) snapshot() histogram {
	h := histogram{counts: make([]uint64, numBuckets)}
	for i := range r.shards {
		s := &r.shards[i]
		for b := range s.counts {
			c := s.counts[b].Load()
			h.counts[b] += c
			h.total += c
		}
		h.max = max(h.max, s.max.Load())
	}
	return h
}

// histogram is a merged, read-only view of a recorder.
type histogram struct {
	counts []uint64
	total  uint64
	max    uint64
}

// quantile returns the value at or below which a fraction q of samples fall,
// as the top of its bucket clamped to the exact maximum; 0 when empty.
func (h histogram) quantile(q float64) uint64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = max(rank, 1)
	var seen uint64
	for b, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(bucketHigh(b), h.max)
		}
	}
	return h.max
}
