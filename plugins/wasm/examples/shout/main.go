// Command shout is an example Danmaku plugin built as a WebAssembly module:
// it rejects, with the reason "please don't shout", a comment of more than
// min_length runes (a setting, default 8) with capitals and no small
// letters; it allows every other comment.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o shout.wasm .
package main

import (
	"github.com/danmaku/danmaku/plugins/wasm/guest"
	"unicode"
)

var minLength = 8 // texts longer than this may be shouting

func init() { guest.Register(guest.Plugin{Init: setup, Moderate: shout}) }
func main() {} // a c-shared module runs init, never main

func setup(s *guest.Settings) (err error) {
	minLength, err = s.Int("min_length", minLength)
	return err
}

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
