package bilixml

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/protocol"
)

// Header is what a document says about itself before its comments.
type Header struct {
	// ChatID names the room; Bilibili puts the video's numeric cid here,
	// and no reader depends on it.
	ChatID string
	// MaxLimit tells players how many comments to keep; callers pass the
	// number of comments they export.
	MaxLimit int
}

// EncodeStats counts what an Encoder wrote.
type EncodeStats struct {
	Written int // <d> elements written
	Altered int // comments whose text lost characters XML 1.0 cannot carry
	Dropped int // comments left out because nothing printable was left
}

// Encoder writes a document one comment at a time. It holds one buffer and
// never the document, so an export streams at any size.
type Encoder struct {
	w     *bufio.Writer
	err   error
	buf   []byte
	stats EncodeStats
}

// prolog is how every Bilibili file starts, byte for byte. Converters tell
// the format by these bytes: danmaku2ass takes the file for Bilibili's only
// if <i> follows the declaration directly, with no line break between.
const prolog = `<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>`

// NewEncoder starts a document on w: the prolog, then the rest of the header
// elements Bilibili's own files carry, in their order and on the same line.
// Each comment then goes on a line of its own.
func NewEncoder(w io.Writer, h Header) *Encoder {
	e := &Encoder{w: bufio.NewWriterSize(w, 32<<10)}
	b := append(e.buf[:0], prolog...)
	b = element(b, "chatid", h.ChatID)
	b = element(b, "mission", "0")
	b = element(b, "maxlimit", strconv.Itoa(max(h.MaxLimit, 0)))
	b = element(b, "state", "0")
	b = element(b, "real_name", "0")
	b = element(b, "source", "k-v") // what Bilibili writes today
	e.write(append(b, '\n'))
	return e
}

func element(b []byte, name, text string) []byte {
	b = append(append(append(b, '<'), name...), '>')
	b, _ = appendText(b, text)
	return append(append(append(b, "</"...), name...), '>')
}

// Encode writes one comment as
//
//	<d p="time,mode,size,color,unix_ts,pool,user_hash,id">text</d>
//
// on a line of its own. A comment whose mode, size or colour has no
// Bilibili equivalent is an error and nothing is written for it; a comment
// with no printable text left is dropped (readers choke on empty <d>s).
func (e *Encoder) Encode(c protocol.Comment) error {
	if e.err != nil {
		return e.err
	}
	mode, okMode := modeNumber(c.Mode)
	size, okSize := sizeNumber(c.Size)
	color, okColor := colorNumber(c.Color)
	if !okMode || !okSize || !okColor {
		return fmt.Errorf("bilixml: comment %d: mode %q, size %q or color %q has no Bilibili equivalent", c.ID, c.Mode, c.Size, c.Color)
	}
	b := append(e.buf[:0], `<d p="`...)
	b = strconv.AppendFloat(b, c.Time.Float(), 'f', 5, 64)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(mode), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, color, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, max(int64(c.CreatedAt), 0)/1000, 10)
	b = append(b, ",0,"...)
	b = append(b, UserHash(c.User.ID)...)
	b = append(b, ',')
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `">`...)
	start := len(b)
	b, altered := appendText(b, c.Text)
	e.buf = b
	if !hasGraphic(b[start:]) {
		e.stats.Dropped++
		return nil
	}
	if altered {
		e.stats.Altered++
	}
	e.stats.Written++
	e.write(append(b, "</d>\n"...))
	return e.err
}

// Flush writes what is buffered to the underlying writer, e.g. to send an
// HTTP chunk.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Close ends the document and flushes it. It does not close the writer.
func (e *Encoder) Close() error {
	e.write([]byte("</i>\n"))
	return e.Flush()
}

// Stats returns the counts so far.
func (e *Encoder) Stats() EncodeStats { return e.stats }

func (e *Encoder) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// appendText appends s escaped for element content. Only the named entities
// &amp; &lt; &gt; are used, because DanmakuFactory and ArtPlayer decode
// nothing else. Characters XML 1.0 cannot carry (C0 controls, U+FFFE,
// U+FFFF, invalid UTF-8) are stripped; tab, LF and CR become spaces, since
// ArtPlayer's reader needs each <d> on one line. altered reports either.
func appendText(b []byte, s string) (_ []byte, altered bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\t' || r == '\n' || r == '\r':
			b, altered = append(b, ' '), true
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError && n == 1:
			altered = true
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b, altered
}

// hasGraphic reports whether escaped text has anything but spaces.
func hasGraphic(b []byte) bool {
	for _, c := range b {
		if c != ' ' {
			return true
		}
	}
	return false
}
