package bilixml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/protocol"
)

// maxDepth bounds element nesting: the format needs three levels, and a
// deeper document is hostile or not danmaku.
const maxDepth = 16

// Decoder reads a document entry by entry with encoding/xml's token API.
// Memory stays bounded by the longest token (interop.MaxTokenBytes), never
// by the document.
//
// It tolerates what real files carry: a byte order mark, CRLF line ends,
// any case of "UTF-8", version 2.0 declarations (whose p attributes it
// reads in their own layout), C0 control characters (dropped), p
// attributes with 4 to 9 or more fields (newer files add a weight, some
// sites more), DanmakuFactory's "NULL" user hashes and empty or missing
// header elements, and extra attributes such as BililiveRecorder's user="…".
type Decoder struct {
	in     *interop.Input
	x      *xml.Decoder
	layout layout
	header Header
	tally  interop.Tally
	depth  int
	ended  bool // the root element has ended
	err    error
	text   []byte
}

// NewDecoder reads a document from r.
func NewDecoder(r io.Reader) *Decoder {
	in := interop.NewInput(r, interop.MaxTokenBytes, true)
	xr, l := readVersion(in)
	x := xml.NewDecoder(xr)
	x.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q is not supported: convert the file to UTF-8", interop.Clip(label))
	}
	return &Decoder{in: in, x: x, layout: l}
}

// Header returns the <chatid> (<oid> in version 2.0) and <maxlimit> read so
// far; both precede the comments in every file seen in the wild.
func (d *Decoder) Header() Header { return d.header }

// Skipped tallies the entries left out so far.
func (d *Decoder) Skipped() *interop.Tally { return &d.tally }

// ControlsDropped counts the control characters removed from the input.
func (d *Decoder) ControlsDropped() int64 { return d.in.Dropped() }

// Next returns the next comment, io.EOF after </i>, or an
// *interop.FormatError naming the line where the document is malformed.
func (d *Decoder) Next() (interop.Entry, error) {
	for d.err == nil {
		tok, err := d.token()
		if err == io.EOF {
			if !d.ended {
				d.err = d.semantic("the file has no <i> element: not a Bilibili danmaku file")
				break
			}
			d.err = io.EOF
			break
		}
		if err != nil {
			d.err = err
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if e, ok, err := d.start(t); err != nil {
				d.err = err
			} else if ok {
				return e, nil
			}
		case xml.EndElement:
			d.depth--
			d.ended = d.depth == 0
		}
	}
	return interop.Entry{}, d.err
}

// token returns the next token, marking the input so that its limit applies
// per token, and turns every error into a FormatError with a line.
func (d *Decoder) token() (xml.Token, error) {
	tok, err := d.x.Token()
	d.in.Mark(d.x.InputOffset())
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, &interop.FormatError{Format: interop.FormatBilibiliXML, Line: syn.Line, Msg: "malformed XML: " + syn.Msg, Err: err}
		}
		line, _ := d.x.InputPos()
		return nil, &interop.FormatError{Format: interop.FormatBilibiliXML, Line: line, Msg: err.Error(), Err: err}
	}
	return tok, nil
}

// semantic is a FormatError at the current position.
func (d *Decoder) semantic(format string, args ...any) error {
	line, _ := d.x.InputPos()
	return &interop.FormatError{Format: interop.FormatBilibiliXML, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// start handles a start tag: the root, a header element, a comment, or
// anything else, which is skipped whole.
func (d *Decoder) start(t xml.StartElement) (interop.Entry, bool, error) {
	switch {
	case d.depth == 0 && d.ended:
		return interop.Entry{}, false, d.semantic("element <%s> after </i>", interop.Clip(t.Name.Local))
	case d.depth == 0 && t.Name.Local != "i":
		return interop.Entry{}, false, d.semantic("the root element is <%s>, want <i>: not a Bilibili danmaku file", interop.Clip(t.Name.Local))
	case d.depth == 0:
		d.depth = 1
		return interop.Entry{}, false, nil
	case d.depth == 1 && t.Name.Local == "d":
		return d.comment(t)
	case d.depth == 1 && (t.Name.Local == "chatid" || t.Name.Local == "oid" || t.Name.Local == "maxlimit"):
		text, _, err := d.readText(t.Name.Local)
		if err != nil {
			return interop.Entry{}, false, err
		}
		if t.Name.Local != "maxlimit" {
			d.header.ChatID = strings.TrimSpace(text)
		} else if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil {
			d.header.MaxLimit = n
		}
		return interop.Entry{}, false, nil
	}
	return interop.Entry{}, false, d.skipElement()
}

// skipElement consumes the element just started, with its children.
func (d *Decoder) skipElement() error {
	for depth := 1; depth > 0; {
		tok, err := d.token()
		if err == io.EOF {
			return d.semantic("the file ends inside an element")
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; d.depth+depth > maxDepth {
				return d.semantic("elements are nested more than %d deep", maxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// readText collects an element's text up to its end tag. nested reports
// child elements, which are skipped; text past MaxTokenBytes is dropped and
// reported as too long.
func (d *Decoder) readText(name string) (text string, problem string, err error) {
	d.text = d.text[:0]
	for {
		tok, err := d.token()
		if err == io.EOF {
			return "", "", d.semantic("the file ends inside <%s>", name)
		}
		if err != nil {
			return "", "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(d.text)+len(t) > interop.MaxTokenBytes {
				problem = fmt.Sprintf("text is longer than %d bytes", interop.MaxTokenBytes)
				continue
			}
			d.text = append(d.text, t...)
		case xml.StartElement:
			problem = fmt.Sprintf("element <%s> inside <%s>", interop.Clip(t.Name.Local), name)
			if err := d.skipElement(); err != nil {
				return "", "", err
			}
		case xml.EndElement:
			return string(d.text), problem, nil
		}
	}
}

// comment reads one <d> element. Problems with the entry itself are tallied
// and the entry skipped; only a malformed document is an error.
func (d *Decoder) comment(t xml.StartElement) (interop.Entry, bool, error) {
	line, _ := d.x.InputPos()
	text, problem, err := d.readText("d")
	if err != nil {
		return interop.Entry{}, false, err
	}
	e, skip := parseComment(d.layout, t, text, problem)
	if skip != nil {
		skip.Line = line
		d.tally.Add(*skip)
		return interop.Entry{}, false, nil
	}
	e.Line = line
	return e, true, nil
}

// parseComment maps a <d> element whose p attribute is in layout l to an
// entry, or says why it is skipped.
func parseComment(l layout, t xml.StartElement, text, problem string) (interop.Entry, *interop.Skip) {
	malformed := func(format string, args ...any) (interop.Entry, *interop.Skip) {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonMalformed, Detail: fmt.Sprintf(format, args...)}
	}
	if problem != "" {
		return malformed("%s", problem)
	}
	p, ok := attr(t, "p")
	if !ok {
		return malformed("<d> has no p attribute")
	}
	f := strings.Split(p, ",")
	if len(f) < l.minFields() {
		return malformed("p=%q has %d fields, want at least %d (%s)", interop.Clip(p), len(f), l.minFields(), l.leading)
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	var e interop.Entry
	secs, err := strconv.ParseFloat(f[l.time], 64)
	if secs /= l.perSecond; err != nil || math.IsNaN(secs) || secs < 0 || secs > protocol.MaxTime {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonBadTime, Detail: fmt.Sprintf("time %q is not a number of %s from 0 to %g", interop.Clip(f[l.time]), l.unit, protocol.MaxTime*l.perSecond)}
	}
	e.Input.Time = &secs
	n, err := strconv.Atoi(f[l.mode])
	if err != nil {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonBadMode, Detail: fmt.Sprintf("mode %q is not a number", interop.Clip(f[l.mode]))}
	}
	var skip *interop.Skip
	if e.Input.Mode, skip = modeOf(n); skip != nil {
		return interop.Entry{}, skip
	}
	px, err := strconv.ParseFloat(f[l.size], 64)
	if err != nil || math.IsNaN(px) || math.IsInf(px, 0) || px <= 0 {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonBadSize, Detail: fmt.Sprintf("size %q is not a positive number", interop.Clip(f[l.size]))}
	}
	e.Input.Size = sizeOf(px)
	rgb, err := strconv.ParseInt(f[l.color], 10, 64)
	if e.Input.Color, ok = colorOf(rgb); err != nil || !ok {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonBadColor, Detail: fmt.Sprintf("color %q is not a decimal RGB value from 0 to 16777215", interop.Clip(f[l.color]))}
	}
	// The fields after the colour are optional and informative: a missing
	// or unusable one means unknown, and fields past them are ignored.
	e.CreatedAt = sentAt(field(f, l.sent))
	if h := field(f, l.user); validHash(h) {
		e.User.ID = UserID(h)
	}
	if id := field(f, l.id); isID(id) {
		e.SourceID = id
	}
	if name, ok := attr(t, "user"); ok {
		e.User.Name = name
	}
	e.Input.Text = text
	if _, err := interop.EntryLimits.Validate(e.Input); err != nil {
		return interop.Entry{}, &interop.Skip{Reason: interop.ReasonOf(err), Detail: errs.From(err).Message}
	}
	return e, nil
}

// sentAt reads the Unix time a comment was sent; it is informative only, so
// anything unusable means unknown (0).
func sentAt(s string) protocol.Timestamp {
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || !(secs > 0 && secs < 253402300800) { // before year 10000
		return 0
	}
	return protocol.Timestamp(int64(secs * 1000))
}

// isID accepts Bilibili's decimal row ids.
func isID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func attr(t xml.StartElement, name string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}
