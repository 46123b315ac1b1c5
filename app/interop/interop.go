// Package interop holds what the readers and writers of comment files share:
// the entry a decoder yields, the reasons an entry is skipped, the error a
// malformed file gives, and the guarded input every decoder reads through.
//
// The formats live in subpackages: bilixml (Bilibili's danmaku XML),
// jsonexport (this server's own JSON export) and dplayer (DPlayer's v3 API).
package interop

import (
	"bytes"
	"errors"

	"github.com/danmaku/danmaku/app/protocol"
)

// Entry is one comment read from a file, ready to be validated and imported
// like any comment a client submits.
type Entry struct {
	Line      int                   // line of the file where the entry starts
	Input     protocol.CommentInput // text, time, mode, colour and size
	User      protocol.User         // the author as the file names them; empty when unknown
	CreatedAt protocol.Timestamp    // when it was first posted; 0 when unknown
	SourceID  string                // the entry's id in the file; "" when it has none
}

// Decoder reads a file one entry at a time, in bounded memory.
type Decoder interface {
	// Next returns the next entry, io.EOF after the last one, or a
	// *FormatError when the file itself is malformed. Entries with problems
	// of their own are skipped and tallied, never returned.
	Next() (Entry, error)
	// Skipped tallies the entries Next has left out so far.
	Skipped() *Tally
}

// EntryLimits are what decoders check each entry against. They are the
// widest any server accepts; the importer applies the server's own limits.
var EntryLimits = protocol.Limits{MinRunes: 1, MaxRunes: 10000}

// Format names a file format.
type Format string

// The formats this server reads.
const (
	FormatBilibiliXML Format = "bilibili-xml"
	FormatJSON        Format = "danmaku-json"
)

// Sniff tells the format of a file from its first bytes (after a byte order
// mark and white space): XML starts with '<', the JSON export with '{'.
func Sniff(head []byte) (Format, error) {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case len(head) == 0:
		return "", errors.New("the file is empty")
	case head[0] == '<':
		return FormatBilibiliXML, nil
	case head[0] == '{':
		return FormatJSON, nil
	}
	return "", errors.New("the file is neither Bilibili XML nor a danmaku JSON export")
}
