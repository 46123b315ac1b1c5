package interop

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
)

// Reason is a stable code for why an entry was skipped; reports count by it.
type Reason string

// The reasons decoders give. Importers may add their own.
const (
	// ReasonMalformed: the entry's markup is unusable, e.g. a <d> without a
	// p attribute, or a JSON comment whose fields have the wrong types.
	ReasonMalformed Reason = "malformed"
	// ReasonUnsupportedMode: a Bilibili mode this server cannot show
	// (6 reverse, 7 advanced, 8 code, 9 BAS).
	ReasonUnsupportedMode Reason = "unsupported_mode"
	ReasonBadTime         Reason = "bad_time"
	ReasonBadMode         Reason = "bad_mode"
	ReasonBadColor        Reason = "bad_color"
	ReasonBadSize         Reason = "bad_size"
	ReasonBadText         Reason = "bad_text"
	// ReasonInvalid: refused by validation for a reason not listed above.
	ReasonInvalid Reason = "invalid"
)

// ReasonOf classifies a validation error from protocol.Limits.Validate,
// whose messages start with the name of the field at fault.
func ReasonOf(err error) Reason {
	field, _, _ := strings.Cut(errs.From(err).Message, " ")
	switch field {
	case "time":
		return ReasonBadTime
	case "mode":
		return ReasonBadMode
	case "color":
		return ReasonBadColor
	case "size":
		return ReasonBadSize
	case "text":
		return ReasonBadText
	}
	return ReasonInvalid
}

// Skip is one entry left out of an import.
type Skip struct {
	Line   int
	Reason Reason
	Detail string // for people, e.g. "mode 7 (advanced) is not supported"
}

// String renders the skip for a report line.
func (s Skip) String() string { return fmt.Sprintf("line %d: %s", s.Line, s.Detail) }

// MaxExamples is how many skips a Tally keeps to show; it counts all of them.
const MaxExamples = 20

// Tally counts skipped entries by reason and keeps the first few, so a
// report of a 200,000-entry file stays small.
type Tally struct {
	Total    int
	ByReason map[Reason]int
	Examples []Skip // the first MaxExamples skips, in file order
}

// Add counts s.
func (t *Tally) Add(s Skip) {
	if t.ByReason == nil {
		t.ByReason = map[Reason]int{}
	}
	t.Total++
	t.ByReason[s.Reason]++
	if len(t.Examples) < MaxExamples {
		t.Examples = append(t.Examples, s)
	}
}

// Clip shortens a value quoted in a message, so that hostile input cannot
// make a report large.
func Clip(s string) string {
	const max = 32
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Printable reports whether s is valid UTF-8 without control characters:
// fit to store and show as a name.
func Printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
