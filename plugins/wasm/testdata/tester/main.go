// Command tester is a guest-kit module for the tests. The first word of a
// comment's text picks its answer, or, when the `mode` setting is set,
// that word does for every comment:
//
//	reject|hold|shadow  that action, with the reason "<action> by wasm"
//	upper ...           a rewrite: text in capitals, colour #ff0000, size
//	                    large, time +1, metadata seen=<via>, user=<id>
//	echo ...            reject with the comment as the module saw it
//	setting             reject with the settings as JSON
//	loop                log "tester: looping" (warn), then spin forever
//	grow                allocate until memory runs out
//	panic               panic (Go's runtime exits the module)
//	recurse             recurse without end
//	trap                write outside its memory (a WebAssembly trap)
//	garbage             answer action code 42
//	badreason           hand back a reason that is not UTF-8
//	badpointer          ask for the text into a buffer outside its memory
//	peek                reject with what it sees of the host: a file, the
//	                    environment, the current directory, the clock
//	anything else       allow
//
// The setting `fail: true` makes it refuse its settings.
package main

import (
	"errors"
	"os"
	"strings"
	"time"
	"unsafe"

	"github.com/danmaku/danmaku/plugins/wasm/guest"
)

// Raw imports, for answers the kit would never give.
//
//go:wasmimport danmaku comment_field
func commentField(field int32, buf unsafe.Pointer, capacity int32) int32

//go:wasmimport danmaku set_reason
func setReason(ptr unsafe.Pointer, n int32)

var (
	settings, mode string
	hoard          [][]byte
)

func init() {
	guest.Register(guest.Plugin{
		Init: func(s *guest.Settings) error {
			settings, mode = s.JSON(), s.String("mode", "")
			if fail, _ := s.Bool("fail", false); fail {
				return errors.New("fail is set")
			}
			return nil
		},
		Moderate: moderate,
	})
}

func moderate(c guest.Comment) guest.Verdict {
	word, _, _ := strings.Cut(c.Text, " ")
	if mode != "" {
		word = mode
	}
	switch word {
	case "reject":
		return guest.Reject("reject by wasm")
	case "hold":
		return guest.Hold("hold by wasm")
	case "shadow":
		return guest.Shadow("shadow by wasm")
	case "upper":
		out := c.Clone()
		out.Text = strings.ToUpper(c.Text)
		out.Color, out.Size, out.Time = "#ff0000", "large", c.Time+1
		via, _ := c.Metadata.Get("via")
		out.Metadata.Set("seen", via)
		out.Metadata.Set("user", c.User.ID)
		return guest.Rewrite(out, "shouted on purpose")
	case "echo":
		return guest.Reject("room=" + c.Room + " user=" + c.User.ID + "/" + c.User.Name +
			" roles=" + strings.Join(c.User.Roles, ",") + " text=" + c.Text + " time=" + itoa(int(c.Time*100)) +
			" mode=" + c.Mode + " color=" + c.Color + " size=" + c.Size + " meta=" + strings.Join(c.Metadata.Keys(), ","))
	case "setting":
		return guest.Reject(settings)
	case "loop":
		guest.Log(4, "tester: looping")
		for {
		}
	case "grow":
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	case "panic":
		panic("tester: boom")
	case "recurse":
		return guest.Reject(itoa(recurse(1)))
	case "trap":
		*(*byte)(unsafe.Pointer(uintptr(0xFFFFFFF0))) = 1
	case "garbage":
		return guest.Verdict{Action: 42}
	case "badreason":
		bad := []byte{0xff, 0xfe, 'x'}
		setReason(unsafe.Pointer(&bad[0]), int32(len(bad)))
		return guest.Reject("")
	case "peek":
		_, ferr := os.ReadFile("/etc/passwd")
		wd, _ := os.Getwd()
		return guest.Reject("file=" + errText(ferr) + " env=" + itoa(len(os.Environ())) + ` cwd="` + wd + `"` +
			" year=" + itoa(time.Now().Year()))
	case "badpointer":
		commentField(5, unsafe.Pointer(uintptr(0xFFFFFF00)), 200)
	}
	return guest.Allow()
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return "error"
}

func recurse(n int) int { return recurse(n+1) + 1 }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func main() {}
