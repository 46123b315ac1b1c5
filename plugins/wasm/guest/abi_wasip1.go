//go:build wasip1

package guest

import (
	"unsafe"

	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

//go:wasmimport danmaku comment_read
func commentRead(buf unsafe.Pointer, capacity int32) int32

//go:wasmimport danmaku setting
func hostSetting(key string, buf unsafe.Pointer, capacity int32) int32

//go:wasmimport danmaku settings_json
func settingsJSON(buf unsafe.Pointer, capacity int32) int32

//go:wasmimport danmaku set_reason
func hostSetReason(reason string)

//go:wasmimport danmaku set_field
func hostSetField(field int32, value string)

//go:wasmimport danmaku set_time
func hostSetTime(seconds float64)

//go:wasmimport danmaku set_metadata
func hostSetMetadata(key, value string)

//go:wasmimport danmaku log
func hostLog(level int32, msg string)

// buf is reused for every read: an instance handles one call at a time.
var buf = make([]byte, 1024)

// read calls get with buf, growing buf once if the value is longer.
func read(get func(p unsafe.Pointer, n int32) int32) (string, bool) {
	for {
		n := get(unsafe.Pointer(&buf[0]), int32(len(buf)))
		switch {
		case n < 0:
			return "", false
		case int(n) <= len(buf):
			return string(buf[:n]), true
		}
		buf = make([]byte, n)
	}
}

// arena holds the comments read so far, back to back. A comment's strings
// point into it, so they stay valid for as long as a plugin keeps them,
// and reading a comment costs no allocation until the arena is full (then
// a new one is made; the old one lives on while something points into it).
var arena struct {
	buf []byte
	off int
}

const arenaSize = 64 << 10

func readComment() Comment {
	if len(arena.buf)-arena.off < 1024 {
		arena.buf, arena.off = make([]byte, arenaSize), 0
	}
	free := arena.buf[arena.off:]
	n := int(commentRead(unsafe.Pointer(&free[0]), int32(len(free))))
	if n > len(free) {
		arena.buf, arena.off = make([]byte, max(arenaSize, n)), 0
		free = arena.buf
		n = int(commentRead(unsafe.Pointer(&free[0]), int32(len(free))))
	}
	rec := unsafe.String(&free[0], n)
	arena.off += n
	c, err := parseRecord(rec)
	if err != nil {
		panic(err)
	}
	return c
}

// wasmHost hands verdicts back through the imports.
type wasmHost struct{}

func (wasmHost) setReason(reason string)       { hostSetReason(reason) }
func (wasmHost) setField(id int32, v string)   { hostSetField(id, v) }
func (wasmHost) setTime(seconds float64)       { hostSetTime(seconds) }
func (wasmHost) setMetadata(key, value string) { hostSetMetadata(key, value) }

//go:wasmexport danmaku_abi_version
func abiVersion() int32 { return abi.Version }

//go:wasmexport danmaku_init
func initExport() int32 {
	if registered.Moderate == nil {
		hostSetReason("the module registered no plugin: call guest.Register from init")
		return 1
	}
	if registered.Init == nil {
		return 0
	}
	s := &Settings{
		get: func(key string) (string, bool) {
			return read(func(p unsafe.Pointer, n int32) int32 { return hostSetting(key, p, n) })
		},
		json: func() string { v, _ := read(settingsJSON); return v },
	}
	if err := registered.Init(s); err != nil {
		hostSetReason(err.Error())
		return 1
	}
	return 0
}

//go:wasmexport danmaku_moderate
func moderateExport() int32 {
	in := readComment()
	return answer(wasmHost{}, in, registered.Moderate(in))
}

// Log writes msg to the server's log at level (log/slog's: -4 debug,
// 0 info, 4 warn, 8 error), tagged with the plugin's name.
func Log(level int32, msg string) { hostLog(level, msg) }
