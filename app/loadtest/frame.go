package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// serverFrame is what the load tool reads from a json-mode server frame. Byte
// slices alias the frame buffer (or a fresh copy when a string had escapes),
// so they are valid only until the next frame is read into that buffer.
type serverFrame struct {
	typ   []byte   // "type"
	ref   []byte   // ack "ref"
	ok    bool     // ack "ok"
	code  []byte   // failed ack's "error":{"code":…}, or an error frame's top-level "code"
	texts [][]byte // "items"[i]."text" or v2's "rows"[i][4], one entry per item (nil when an item has none)
}

var errSyntax = errors.New("malformed JSON frame")

// parseFrame is a small single-pass JSON scanner: it walks the whole object,
// keeps the few fields above and skips every other value properly (strings
// with escapes, nested objects and arrays), so batches of any size and any key
// order parse without reflection or per-item allocation.
func parseFrame(b []byte, f *serverFrame) error {
	*f = serverFrame{texts: f.texts[:0]}
	s := scanner{b: b}
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			f.typ, err = s.str()
		case "ref":
			f.ref, err = s.str()
		case "ok":
			f.ok, err = s.boolean()
		case "error":
			f.code, err = s.errorCode()
		case "code":
			f.code, err = s.str()
		case "items":
			f.texts, err = s.itemTexts(f.texts)
		case "rows":
			f.texts, err = s.rowTexts(f.texts)
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if s.ws(); s.i != len(s.b) {
		return fmt.Errorf("%w: trailing data at %d", errSyntax, s.i)
	}
	return nil
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.ws(); s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("%w: want %q at %d", errSyntax, c, s.i)
	}
	s.i++
	return nil
}

// object calls field for each key, positioned at its value, which field must consume.
func (s *scanner) object(field func(key []byte) error) error {
	return s.list('{', '}', func() error {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		return field(key)
	})
}

// array calls elem once per element, positioned at it, which elem must consume.
func (s *scanner) array(elem func() error) error {
	return s.list('[', ']', elem)
}

// list reads opening, comma-separated entries (each consumed by entry), closing.
func (s *scanner) list(opening, closing byte, entry func() error) error {
	if err := s.expect(opening); err != nil {
		return err
	}
	if s.peek() == closing {
		s.i++
		return nil
	}
	for {
		if err := entry(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case closing:
			s.i++
			return nil
		default:
			return fmt.Errorf("%w: want ',' or %q at %d", errSyntax, closing, s.i)
		}
	}
}

// str reads a string value; escaped strings (rare here) are decoded by encoding/json.
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, fmt.Errorf("%w: want a string at %d", errSyntax, s.i)
	}
	start := s.i
	if err := s.skipString(); err != nil {
		return nil, err
	}
	raw := s.b[start+1 : s.i-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, nil
	}
	var out string
	if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
		return nil, fmt.Errorf("%w: %w", errSyntax, err)
	}
	return []byte(out), nil
}

func (s *scanner) boolean() (bool, error) {
	s.ws()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false, nil
	}
	return false, fmt.Errorf("%w: want a boolean at %d", errSyntax, s.i)
}

// errorCode reads {"code":"…",…} or a bare string; null gives no code.
func (s *scanner) errorCode() ([]byte, error) {
	switch s.peek() {
	case '"':
		return s.str()
	case '{':
		return s.pluck("code")
	}
	return nil, s.skip()
}

// itemTexts appends each item's "text" (nil for an item without one).
func (s *scanner) itemTexts(texts [][]byte) ([][]byte, error) {
	err := s.array(func() error {
		text, err := s.pluck("text")
		texts = append(texts, text)
		return err
	})
	return texts, err
}

// rowTextAt is where a v2 row holds the comment's text.
const rowTextAt = 4

// rowTexts appends each v2 row's text (nil for a row without one).
func (s *scanner) rowTexts(texts [][]byte) ([][]byte, error) {
	err := s.array(func() error {
		var text []byte
		i := 0
		err := s.array(func() error {
			defer func() { i++ }()
			if i == rowTextAt && s.peek() == '"' {
				var err error
				text, err = s.str()
				return err
			}
			return s.skip()
		})
		texts = append(texts, text)
		return err
	})
	return texts, err
}

// pluck reads an object and returns the string value of name (nil if absent
// or not a string), skipping everything else.
func (s *scanner) pluck(name string) ([]byte, error) {
	var val []byte
	err := s.object(func(key []byte) error {
		if string(key) == name && s.peek() == '"' {
			var err error
			val, err = s.str()
			return err
		}
		return s.skip()
	})
	return val, err
}

// skip consumes one value of any kind.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		return s.skipString()
	case '{', '[':
		return s.skipNested()
	case 0:
		return fmt.Errorf("%w: missing value", errSyntax)
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					return fmt.Errorf("%w: empty value at %d", errSyntax, s.i)
				}
				return nil
			}
			s.i++
		}
		return nil
	}
}

// skipString steps over a string without decoding it: a quote ends it unless
// an odd run of backslashes precedes it.
func (s *scanner) skipString() error {
	start := s.i + 1 // after the opening quote
	for s.i = start; ; {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.i = len(s.b)
			return fmt.Errorf("%w: unterminated string", errSyntax)
		}
		q := s.i + j
		s.i = q + 1
		n := 0
		for k := q - 1; k >= start && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return nil
		}
	}
}

// skipNested steps over an object or array by bracket depth, skipping strings whole.
func (s *scanner) skipNested() error {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return fmt.Errorf("%w: unterminated object or array", errSyntax)
}
