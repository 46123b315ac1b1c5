package jsonexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/protocol"
)

// Reader reads an export with encoding/json's token API, one comment at a
// time; memory is bounded by the largest comment (interop.MaxTokenBytes).
type Reader struct {
	in    *interop.Input
	dec   *json.Decoder
	room  Room
	tally interop.Tally
	state readState
	err   error
}

type readState int

const (
	beforeComments readState = iota
	inComments
	afterComments
)

// NewReader reads an export from r.
func NewReader(r io.Reader) *Reader {
	in := interop.NewInput(r, interop.MaxTokenBytes, false)
	return &Reader{in: in, dec: json.NewDecoder(in)}
}

// Room returns the export's room object, read before the first comment.
func (r *Reader) Room() Room { return r.room }

// Skipped tallies the comments left out so far.
func (r *Reader) Skipped() *interop.Tally { return &r.tally }

// Next returns the next comment, io.EOF after the last, or an
// *interop.FormatError naming the line where the file stops being an export.
func (r *Reader) Next() (interop.Entry, error) {
	for r.err == nil {
		switch r.state {
		case beforeComments:
			r.err = r.header()
		case inComments:
			if !r.dec.More() {
				r.err = r.trailer()
				continue
			}
			if e, ok, err := r.comment(); err != nil {
				r.err = err
			} else if ok {
				return e, nil
			}
		case afterComments:
			r.err = io.EOF
		}
	}
	return interop.Entry{}, r.err
}

// header reads up to the '[' that opens the comments: the "format" key must
// come first among the keys that matter, the room object is kept, and keys
// this version does not know are skipped for forward compatibility.
func (r *Reader) header() error {
	if err := r.delim('{', "the file must be a JSON object"); err != nil {
		return err
	}
	format := false
	for {
		key, done, err := r.key()
		if err != nil {
			return err
		}
		if done && !format {
			return r.fail("no \"format\" key: not a danmaku export")
		}
		if done {
			return r.end()
		}
		if key == "comments" {
			if !format {
				return r.fail("the \"format\" key must come before \"comments\"")
			}
			if err := r.delim('[', "comments must be an array"); err != nil {
				return err
			}
			r.state = inComments
			return nil
		}
		if err := r.field(key); err != nil {
			return err
		}
		format = format || key == "format"
	}
}

// field reads the value of a top-level key other than "comments": the
// format is checked, the room kept, and keys this version does not know are
// skipped for forward compatibility.
func (r *Reader) field(key string) error {
	switch key {
	case "format":
		var f string
		if err := r.decode(&f); err != nil {
			return r.problem(err, "format must be a string")
		}
		if f != Format {
			return r.fail("format %q is not supported, want %q", interop.Clip(f), Format)
		}
	case "room":
		if err := r.decode(&r.room); err != nil {
			return r.problem(err, "room is not a room object")
		}
	default:
		var skip json.RawMessage
		if err := r.decode(&skip); err != nil {
			return r.problem(err, "")
		}
	}
	return nil
}

// trailer reads the ']' that ends the comments, any keys after it, the
// closing '}', and checks that nothing follows.
func (r *Reader) trailer() error {
	if err := r.delim(']', "comments must end with ]"); err != nil {
		return err
	}
	for {
		key, done, err := r.key()
		if err != nil {
			return err
		}
		if done {
			break
		}
		if key == "format" || key == "comments" {
			return r.fail("key %q appears twice or after \"comments\"", key)
		}
		if err := r.field(key); err != nil {
			return err
		}
	}
	return r.end()
}

// end checks that nothing follows the object.
func (r *Reader) end() error {
	if _, err := r.dec.Token(); err != io.EOF {
		return r.fail("data after the JSON object")
	}
	r.state = afterComments
	return nil
}

// key returns the next key of the current object, or done at its '}'.
func (r *Reader) key() (string, bool, error) {
	r.mark()
	tok, err := r.dec.Token()
	if err != nil {
		return "", false, r.problem(err, "")
	}
	if tok == json.Delim('}') {
		return "", true, nil
	}
	key, _ := tok.(string)
	return key, false, nil
}

func (r *Reader) delim(want json.Delim, msg string) error {
	r.mark()
	tok, err := r.dec.Token()
	if err != nil {
		return r.problem(err, msg)
	}
	if tok != want {
		return r.fail("%s", msg)
	}
	return nil
}

func (r *Reader) decode(v any) error {
	r.mark()
	return r.dec.Decode(v)
}

// mark forgets what the decoder has consumed, so the input's limit applies
// to each value on its own.
func (r *Reader) mark() { r.in.Mark(r.dec.InputOffset()) }

// wire is a comment as the file has it. Time and created_at are read raw:
// a time must be a number in range, not wrap around; a created_at that
// cannot be read only means "unknown", as in the XML decoder.
type wire struct {
	protocol.Comment
	Time      json.RawMessage `json:"time"`
	CreatedAt json.RawMessage `json:"created_at"`
}

// comment reads one comment object. Wrong types or invalid values skip it;
// only broken JSON is an error.
func (r *Reader) comment() (interop.Entry, bool, error) {
	r.mark()
	line := r.nextLine()
	var w wire
	if err := r.dec.Decode(&w); err != nil {
		if broken(err) {
			return interop.Entry{}, false, r.problem(err, "")
		}
		r.tally.Add(interop.Skip{Line: line, Reason: interop.ReasonMalformed, Detail: describe(err)})
		return interop.Entry{}, false, nil
	}
	e := interop.Entry{
		Line:  line,
		Input: protocol.CommentInput{Text: w.Text, Mode: w.Mode, Color: w.Color, Size: w.Size},
		User:  w.User,
	}
	if w.ID > 0 {
		e.SourceID = strconv.FormatInt(w.ID, 10)
	}
	if len(w.Time) > 0 && string(w.Time) != "null" {
		secs, err := strconv.ParseFloat(string(w.Time), 64)
		if err != nil || w.Time[0] == '"' {
			r.tally.Add(interop.Skip{Line: line, Reason: interop.ReasonBadTime, Detail: fmt.Sprintf("time %s is not a number in range", interop.Clip(string(w.Time)))})
			return interop.Entry{}, false, nil
		}
		e.Input.Time = &secs
	}
	var at protocol.Timestamp
	if len(w.CreatedAt) > 0 && at.UnmarshalJSON(w.CreatedAt) == nil && at > 0 {
		e.CreatedAt = at
	}
	if _, err := interop.EntryLimits.Validate(e.Input); err != nil {
		r.tally.Add(interop.Skip{Line: line, Reason: interop.ReasonOf(err), Detail: errs.From(err).Message})
		return interop.Entry{}, false, nil
	}
	return e, true, nil
}

// nextLine is the line where the next value starts: the decoder's position
// is before the separating comma and white space.
func (r *Reader) nextLine() int {
	off := r.dec.InputOffset()
	ahead, _ := io.ReadAll(r.dec.Buffered())
	skip := len(ahead) - len(bytes.TrimLeft(ahead, ", \t\r\n"))
	return r.in.Line(off + int64(skip))
}

// broken reports errors after which the decoder cannot go on: the JSON
// itself is malformed or cut short, or too large to read.
func broken(err error) bool {
	var syn *json.SyntaxError
	var tooLong *interop.TooLongError
	return errors.As(err, &syn) || errors.As(err, &tooLong) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// describe says what is wrong with a comment's fields without echoing input.
func describe(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field == "" {
		return "a comment must be a JSON object"
	}
	if errors.As(err, &typ) {
		field := typ.Field[strings.LastIndex(typ.Field, ".")+1:]
		return fmt.Sprintf("field %s must be %s", interop.Clip(field), typ.Type)
	}
	return "a field has an invalid value: " + interop.Clip(err.Error())
}

// fail is a FormatError at the decoder's position.
func (r *Reader) fail(format string, args ...any) error {
	return &interop.FormatError{Format: interop.FormatJSON, Line: r.in.Line(r.dec.InputOffset()), Msg: fmt.Sprintf(format, args...)}
}

// problem turns a decoder error into a FormatError with the line where it
// happened. msg, when set, replaces the message for non-syntax errors.
func (r *Reader) problem(err error, msg string) error {
	pos := r.dec.InputOffset()
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// The decoder stands where the failing value began, and its Offset
		// counts scanned bytes cumulatively, so the bad byte is found by
		// scanning the buffered rest of the value afresh. An error that
		// needs context (a missing comma) is where the decoder stands.
		at := pos
		ahead, _ := io.ReadAll(r.dec.Buffered())
		var v json.RawMessage
		var again *json.SyntaxError
		if errors.As(json.NewDecoder(bytes.NewReader(ahead)).Decode(&v), &again) {
			at += again.Offset - 1
		}
		return &interop.FormatError{Format: interop.FormatJSON, Line: r.in.Line(at), Msg: "malformed JSON: " + syn.Error(), Err: err}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &interop.FormatError{Format: interop.FormatJSON, Line: r.in.Line(r.in.End()), Msg: "the file ends too early", Err: err}
	case msg == "":
		msg = err.Error()
	}
	return &interop.FormatError{Format: interop.FormatJSON, Line: r.in.Line(pos), Msg: msg, Err: err}
}
