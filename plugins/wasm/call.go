package wasm

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

// call is the state of one call into an instance, which the host
// functions reach through the context: the comment going in, the verdict
// coming out.
type call struct {
	p    *Plugin
	in   *plugins.Comment // nil in danmaku_init
	keys []string         // in's metadata keys, sorted, on first use
	rec  *[]byte          // the instance's buffer for comment_read's record

	reason  string
	out     *plugins.Comment // the rewrite, cloned from in on the first set_*
	garbage error            // the first thing the guest handed back that the host refuses
}

type callKey struct{}

// callCtx is the context wazero gets for a call into a module (its
// start-up code, danmaku_init, danmaku_moderate): the call's deadline and
// cancellation apply, through wazero's own watcher, and the host functions
// find the call without walking the parent chain.
type callCtx struct {
	context.Context
	c *call
}

// Value returns the call for callKey, else defers to the parent.
func (c callCtx) Value(key any) any {
	if key == (callKey{}) {
		return c.c
	}
	return c.Context.Value(key)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	if c == nil {
		panic("danmaku host function called outside a call")
	}
	return c
}

// field returns a comment field's value for comment_field.
func (c *call) field(id int32) (string, bool) {
	in := c.in
	if in == nil {
		return "", id >= abi.FieldRoom && id <= abi.FieldMetadataKeys // init: empty fields
	}
	switch id {
	case abi.FieldRoom:
		return in.Room, true
	case abi.FieldUserID:
		return in.User.ID, true
	case abi.FieldUserName:
		return in.User.Name, true
	case abi.FieldUserRoles:
		return strings.Join(in.User.Roles, "\n"), true
	case abi.FieldText:
		return in.Text, true
	case abi.FieldMode:
		return string(in.Mode), true
	case abi.FieldColor:
		return in.Color, true
	case abi.FieldSize:
		return string(in.Size), true
	case abi.FieldMetadataKeys:
		if c.keys == nil {
			c.keys = slices.Sorted(maps.Keys(in.Metadata))
		}
		return strings.Join(c.keys, "\n"), true
	}
	return "", false
}

// record encodes the comment for comment_read (see package abi) into
// the instance's buffer.
func (c *call) record() []byte {
	var scratch []byte
	if c.rec != nil {
		scratch = (*c.rec)[:0]
	}
	var in plugins.Comment
	if c.in != nil {
		in = *c.in
	}
	b := binary.LittleEndian.AppendUint64(scratch, math.Float64bits(in.Time))
	str := func(s string) {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for id := int32(abi.RecordFirstField); id <= abi.RecordLastField; id++ {
		v, _ := c.field(id)
		str(v)
	}
	if c.keys == nil {
		c.keys = slices.Sorted(maps.Keys(in.Metadata))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(c.keys)))
	for _, k := range c.keys {
		str(k)
		str(in.Metadata[k])
	}
	if c.rec != nil {
		*c.rec = b
	}
	return b
}

// refuse records the first thing the guest handed back that is garbage.
func (c *call) refuse(format string, args ...any) {
	if c.garbage == nil {
		c.garbage = fmt.Errorf(format, args...)
	}
}

// text checks a string the guest handed back.
func (c *call) text(what string, s []byte, limit int) (string, bool) {
	switch {
	case len(s) > limit:
		c.refuse("%s is %d bytes, at most %d", what, len(s), limit)
		return "", false
	case !utf8.Valid(s):
		c.refuse("%s is not valid UTF-8", what)
		return "", false
	}
	return string(s), true
}

// rewrite returns the comment set_* calls change, cloned on first use.
func (c *call) rewrite() *plugins.Comment {
	if c.out == nil {
		out := plugins.Comment{}
		if c.in != nil {
			out = c.in.Clone()
		}
		c.out = &out
	}
	return c.out
}

// setField applies set_field.
func (c *call) setField(id int32, v string) {
	out := c.rewrite()
	switch id {
	case abi.FieldText:
		out.Text = v
	case abi.FieldMode:
		out.Mode = plugins.Mode(v)
	case abi.FieldColor:
		out.Color = v
	case abi.FieldSize:
		out.Size = plugins.Size(v)
	default:
		c.refuse("set_field: field %d cannot be rewritten (text, mode, colour and size can)", id)
	}
}

// verdict turns the action code and what the host functions recorded
// into the plugin's verdict, or an error for a garbage answer.
func (c *call) verdict(code int32) (plugins.Verdict, error) {
	if c.garbage != nil {
		return plugins.Verdict{}, fmt.Errorf("the module answered garbage: %w", c.garbage)
	}
	switch code {
	case abi.ActionAllow:
		return plugins.Allow(), nil
	case abi.ActionRewrite:
		out := *c.rewrite()
		return plugins.Rewrite(out, c.reason), nil
	case abi.ActionReject:
		return plugins.Reject(c.reason), nil
	case abi.ActionHold:
		return plugins.Hold(c.reason), nil
	case abi.ActionShadow:
		return plugins.Shadow(c.reason), nil
	}
	return plugins.Verdict{}, fmt.Errorf("the module answered garbage: action code %d (want 0 to 4)", code)
}
