// Command shout is an example Danmaku plugin built as a WebAssembly module:
// it rejects comments written in capitals.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o shout.wasm .
package main

import (
	"unicode"

	"github.com/danmaku/danmaku/plugins/wasm/guest"
)

var minLength = 8 // texts longer than this may be shouting

func init() { guest.Register(guest.Plugin{Init: setup, Moderate: shout}) }

func setup(s *guest.Settings) (err error) {
	minLength, err = s.Int("min_length", minLength)
	return err
}

// shout rejects a text of more than minLength runes with capitals and no small letters.
func shout(c guest.Comment) guest.Verdict {
	runes, capitals := 0, false
	for _, r := range c.Text {
		if unicode.IsLower(r) {
			return guest.Allow()
		}
		runes, capitals = runes+1, capitals || unicode.IsUpper(r)
	}
	if runes > minLength && capitals {
		return guest.Reject("please don't shout")
	}
	return guest.Allow()
}

func main() {}
