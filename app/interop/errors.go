package interop

import "fmt"

// FormatError is a file that cannot be read on: malformed XML or JSON, a
// wrong root element, an entry too long to buffer. It names the line, and
// the whole import fails (and is rolled back) because of it.
type FormatError struct {
	Format Format
	Line   int
	Msg    string
	Err    error // the underlying parser error, if any
}

// Error reports the format, the line and the problem.
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s, line %d: %s", e.Format, e.Line, e.Msg)
}

// Unwrap returns the parser's error.
func (e *FormatError) Unwrap() error { return e.Err }
