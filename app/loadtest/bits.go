package loadtest

import (
	"math/bits"
	"sync/atomic"
)

// bitset records which comment sequence numbers a socket has received; only
// its reader goroutine touches it until the run ends.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// testAndSet sets bit i and reports whether it was already set.
func (b bitset) testAndSet(i int) bool {
	w, m := i/64, uint64(1)<<(i%64)
	was := b[w]&m != 0
	b[w] |= m
	return was
}

// countAnd counts bits set in both b and o.
func (b bitset) countAnd(o bitset) int64 {
	var n int
	for i := range b {
		n += bits.OnesCount64(b[i] & o[i])
	}
	return int64(n)
}

// countAndNot counts bits set in b but not in o.
func (b bitset) countAndNot(o bitset) int64 {
	var n int
	for i := range b {
		n += bits.OnesCount64(b[i] &^ o[i])
	}
	return int64(n)
}

// atomicBitset is a bitset several goroutines set concurrently (a room's accepted comments).
type atomicBitset []atomic.Uint64

func newAtomicBitset(n int) atomicBitset { return make(atomicBitset, (n+63)/64) }

// set sets bit i and reports whether it was newly set.
func (b atomicBitset) set(i int) bool {
	m := uint64(1) << (i % 64)
	return b[i/64].Or(m)&m == 0
}

// snapshot copies the bits into a plain bitset.
func (b atomicBitset) snapshot() bitset {
	s := make(bitset, len(b))
	for i := range b {
		s[i] = b[i].Load()
	}
	return s
}
