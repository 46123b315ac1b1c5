// Command shout is an example Danmaku plugin built as a WebAssembly module:
// it rejects comments written in capitals.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o shout.wasm .
package main

import (
	"strings"
	"unicode/utf8"

	"github.com/danmaku/danmaku/plugins/wasm/guest"
)

var minLength = 8 // longer texts than this may be shouting

func init() { guest.Register(guest.Plugin{Init: setup, Moderate: shout}) }

func setup(s *guest.Settings) (err error) {
	minLength, err = s.Int("min_length", minLength)
	return err
}

// shout rejects a text of more than minLength runes with letters, none lower-case.
func shout(c guest.Comment) guest.Verdict {
	t := c.Text
	if utf8.RuneCountInString(t) > minLength && strings.ToUpper(t) == t && strings.ToLower(t) != t {
		return guest.Reject("please don't shout")
	}
	return guest.Allow()
}

func main() {}
