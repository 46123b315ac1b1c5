package bilixml_test

import (
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/danmaku/danmaku/app/interop/bilixml"
)

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

// liveHeap returns the bytes of heap still reachable after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestDecode200kEntriesInBoundedMemory streams a 200,000-entry document from
// the encoder to the decoder through a pipe and samples the live heap every
// 10,000 entries. Holding the document or the entries would keep tens of
// megabytes alive; streaming keeps a few buffers.
func TestDecode200kEntriesInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 entries")
	}
	const entries = 200_000
	text := strings.Repeat("弹幕", 20) // 120 bytes
	pr, pw := io.Pipe()
	var size atomic.Int64
	go func() {
		enc := bilixml.NewEncoder(countWriter{pw, &size}, bilixml.Header{ChatID: "big", MaxLimit: entries})
		for i := range entries {
			if err := enc.Encode(comment(int64(i+1), text)); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(enc.Close())
	}()

	baseline := liveHeap()
	var peak uint64
	dec := bilixml.NewDecoder(pr)
	n := 0
	for {
		e, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("entry %d: %v", n+1, err)
		}
		if e.Input.Text != text {
			t.Fatalf("entry %d: text %q", n+1, e.Input.Text)
		}
		if n++; n%10_000 == 0 {
			peak = max(peak, liveHeap())
		}
	}
	if n != entries || dec.Skipped().Total != 0 {
		t.Fatalf("decoded %d entries, skipped %d; want %d", n, dec.Skipped().Total, entries)
	}
	// The bound only means something if the document dwarfs it.
	const bound = 8 << 20
	if size.Load() < 4*bound {
		t.Fatalf("the document is only %d bytes", size.Load())
	}
	if peak > baseline+bound {
		t.Fatalf("live heap peaked at %d bytes over the baseline, want under %d (document %d bytes)", peak-baseline, bound, size.Load())
	}
	t.Logf("document %d MB; live heap peaked %d KB over the baseline", size.Load()>>20, (max(peak, baseline)-baseline)>>10)
}
