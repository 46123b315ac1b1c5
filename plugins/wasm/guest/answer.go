package guest

import (
	"slices"
	"strings"

	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

// host is what the kit needs from the host to hand a verdict back; the
// wasip1 build calls the ABI's imports, tests record the calls.
type host interface {
	setReason(reason string)
	setField(field int32, value string)
	setTime(seconds float64)
	setMetadata(key, value string)
}

// answer hands v back through h and returns the action code. A rewrite
// sends only the fields that differ from in.
func answer(h host, in Comment, v Verdict) int32 {
	if v.Reason != "" {
		h.setReason(v.Reason)
	}
	if v.Action != ActionRewrite {
		return int32(v.Action)
	}
	out := v.Comment
	for _, f := range []struct {
		id       int32
		old, new string
	}{
		{abi.FieldText, in.Text, out.Text}, {abi.FieldMode, in.Mode, out.Mode},
		{abi.FieldColor, in.Color, out.Color}, {abi.FieldSize, in.Size, out.Size},
	} {
		if f.old != f.new {
			h.setField(f.id, f.new)
		}
	}
	if out.Time != in.Time {
		h.setTime(out.Time)
	}
	changed := out.Metadata.changed()
	for _, k := range sortedKeys(changed) {
		h.setMetadata(k, changed[k])
	}
	return int32(ActionRewrite)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lines splits a one-per-line list; the empty string is the empty list.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
