package interop

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// MaxTokenBytes bounds what a decoder may read ahead between two marks: one
// XML token, one JSON comment. A file that needs more is refused, so no
// input can make a decoder buffer without bound.
const MaxTokenBytes = 1 << 20

// TooLongError is the read error of an Input whose limit was reached.
type TooLongError struct{ Limit int64 }

// Error names the limit.
func (e *TooLongError) Error() string {
	return fmt.Sprintf("a single entry or token is longer than %d bytes", e.Limit)
}

// Input is the reader decoders read a file through. It drops a leading UTF-8
// byte order mark, optionally drops the C0 control characters XML forbids,
// counts lines, and refuses to let the decoder read more than a limit past
// its last Mark. It keeps only the bytes read since that mark.
type Input struct {
	r            *bufio.Reader
	limit        int64
	dropControls bool
	started      bool

	read     int64  // bytes handed to the decoder so far
	base     int64  // offset of window[0]
	window   []byte // bytes from base to read
	baseLine int    // newlines before base
	dropped  int64
}

// NewInput wraps r; limit <= 0 means MaxTokenBytes. With dropControls, bytes
// 0x00–0x1F other than tab, LF and CR are removed (old Bilibili files carry
// them, and XML 1.0 cannot).
func NewInput(r io.Reader, limit int64, dropControls bool) *Input {
	if limit <= 0 {
		limit = MaxTokenBytes
	}
	return &Input{r: bufio.NewReader(r), limit: limit, dropControls: dropControls}
}

// Read implements io.Reader.
func (in *Input) Read(p []byte) (int, error) {
	if !in.started {
		in.started = true
		if head, _ := in.r.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
			_, _ = in.r.Discard(len(utf8BOM))
		}
	}
	room := in.base + in.limit - in.read
	if room <= 0 {
		return 0, &TooLongError{Limit: in.limit}
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	for {
		n, err := in.r.Read(p)
		if in.dropControls {
			n = in.drop(p[:n])
		}
		in.read += int64(n)
		in.window = append(in.window, p[:n]...)
		// A read that was all control characters must not look like EOF.
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (in *Input) drop(p []byte) int {
	n := 0
	for _, b := range p {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			in.dropped++
			continue
		}
		p[n] = b
		n++
	}
	return n
}

// Mark tells the input that the decoder is done with everything before
// offset (in the stream after the BOM and dropped bytes): those bytes are
// forgotten, and the limit counts from here.
func (in *Input) Mark(offset int64) {
	n := in.clamp(offset)
	in.baseLine += bytes.Count(in.window[:n], []byte{'\n'})
	in.window = in.window[:copy(in.window, in.window[n:])]
	in.base += int64(n)
}

// Line returns the 1-based line of offset, which must not be before the
// last Mark (an earlier offset gives the line of the mark).
func (in *Input) Line(offset int64) int {
	return in.baseLine + bytes.Count(in.window[:in.clamp(offset)], []byte{'\n'}) + 1
}

// End returns the offset of the last byte read, for errors at end of input.
func (in *Input) End() int64 { return in.read }

// Dropped returns how many control characters were dropped.
func (in *Input) Dropped() int64 { return in.dropped }

func (in *Input) clamp(offset int64) int {
	return int(min(max(offset-in.base, 0), int64(len(in.window))))
}
