// Package jsonexport reads and writes the server's own export format:
//
//	{"format":"danmaku/v1","room":{…},"comments":[
//	{…},
//	…
//	]}
//
// with one comment object (protocol.Comment, as the REST API gives it but
// without this server's quality weight) per line. Both directions stream.
package jsonexport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/danmaku/danmaku/app/protocol"
)

// Format is the value of the "format" key; the reader refuses any other.
const Format = "danmaku/v1"

// Room is what an export says about the room it came from.
type Room struct {
	ID        string             `json:"id"`
	Title     string             `json:"title"`
	VideoURL  string             `json:"video_url"`
	Kind      string             `json:"kind"`
	CreatedAt protocol.Timestamp `json:"created_at"`
}

// Writer writes an export one comment at a time, holding one buffer.
type Writer struct {
	w     *bufio.Writer
	enc   *json.Encoder
	buf   bytes.Buffer
	n     int
	err   error
	ended bool
}

// NewWriter starts an export of room on w.
func NewWriter(w io.Writer, room Room) *Writer {
	x := &Writer{w: bufio.NewWriterSize(w, 32<<10)}
	x.enc = json.NewEncoder(&x.buf)
	x.enc.SetEscapeHTML(false)
	x.write(`{"format":"` + Format + `","room":`)
	x.value(room)
	x.write(`,"comments":[` + "\n")
	return x
}

// Write adds one comment.
func (x *Writer) Write(c protocol.Comment) error {
	// The quality weight is this server's judgment, not part of the comment.
	c.Weight = 0
	if x.n > 0 {
		x.write(",\n")
	}
	x.value(c)
	x.n++
	return x.err
}

// Flush writes what is buffered to the underlying writer, e.g. to send an
// HTTP chunk.
func (x *Writer) Flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

// Close ends the export and flushes it. It does not close the writer.
func (x *Writer) Close() error {
	if !x.ended {
		x.ended = true
		if x.n > 0 {
			x.write("\n")
		}
		x.write("]}\n")
	}
	return x.Flush()
}

// Count returns how many comments were written.
func (x *Writer) Count() int { return x.n }

func (x *Writer) value(v any) {
	if x.err != nil {
		return
	}
	x.buf.Reset()
	if x.err = x.enc.Encode(v); x.err == nil {
		_, x.err = x.w.Write(bytes.TrimSuffix(x.buf.Bytes(), []byte{'\n'}))
	}
}

func (x *Writer) write(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}
