// Package interoptest holds test helpers for the comment file formats.
package interoptest

import (
	"io"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
)

// Drain reads every entry of d, failing the test on an error.
func Drain(t testing.TB, d interop.Decoder) []interop.Entry {
	t.Helper()
	var out []interop.Entry
	for {
		e, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("entry %d: %v", len(out)+1, err)
		}
		out = append(out, e)
	}
}

// HeapBound is the most the live heap may grow while a file streams
// through a decoder: a few buffers, far below any whole file the memory
// tests use.
const HeapBound = 8 << 20

// StreamsInBoundedMemory writes a file with write into a pipe, reads it
// back with a decoder from open, and samples the live heap (after a
// collection) every 10,000 entries. It fails the test unless every one of
// want entries arrives, check accepts each, and the live heap never grows
// by HeapBound. A decoder that kept the file or its entries would keep
// tens of megabytes alive; the file must be at least 4×HeapBound for the
// bound to mean something.
func StreamsInBoundedMemory(t *testing.T, want int, write func(io.Writer) error, open func(io.Reader) interop.Decoder, check func(interop.Entry) error) {
	t.Helper()
	pr, pw := io.Pipe()
	var size atomic.Int64
	go func() { pw.CloseWithError(write(countWriter{pw, &size})) }()

	baseline := liveHeap()
	peak := baseline
	d := open(pr)
	n := 0
	for {
		e, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("entry %d: %v", n+1, err)
		}
		if err := check(e); err != nil {
			t.Fatalf("entry %d: %v", n+1, err)
		}
		if n++; n%10_000 == 0 {
			peak = max(peak, liveHeap())
		}
	}
	if n != want || d.Skipped().Total != 0 {
		t.Fatalf("read %d entries and skipped %d, want %d", n, d.Skipped().Total, want)
	}
	if size.Load() < 4*HeapBound {
		t.Fatalf("the file is only %d bytes: too small to show anything", size.Load())
	}
	if peak-baseline > HeapBound {
		t.Fatalf("the live heap grew by %d bytes, want under %d (file of %d bytes)", peak-baseline, HeapBound, size.Load())
	}
	t.Logf("%d entries, %d MB file, live heap grew by %d KB", n, size.Load()>>20, (peak-baseline)>>10)
}

// liveHeap returns the bytes of heap still reachable after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// countWriter counts the bytes that pass through it.
type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
