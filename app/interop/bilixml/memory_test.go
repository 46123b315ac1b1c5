package bilixml_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/interoptest"
)

// TestDecode200kEntriesInBoundedMemory streams a 200,000-entry document
// from the encoder to the decoder through a pipe while sampling the live
// heap.
func TestDecode200kEntriesInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 entries")
	}
	const entries = 200_000
	text := strings.Repeat("弹幕", 20) // 120 bytes
	write := func(w io.Writer) error {
		enc := bilixml.NewEncoder(w, bilixml.Header{ChatID: "big", MaxLimit: entries})
		for i := range entries {
			if err := enc.Encode(comment(int64(i+1), text)); err != nil {
				return err
			}
		}
		return enc.Close()
	}
	open := func(r io.Reader) interop.Decoder { return bilixml.NewDecoder(r) }
	interoptest.StreamsInBoundedMemory(t, entries, write, open, func(e interop.Entry) error {
		if e.Input.Text != text {
			return fmt.Errorf("text %q", e.Input.Text)
		}
		return nil
	})
}
