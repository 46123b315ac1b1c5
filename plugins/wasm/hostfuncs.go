package wasm

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/danmaku/danmaku/plugins/wasm/abi"
)

// hostFunc is one import the host offers in module "danmaku".
type hostFunc struct {
	name            string
	fn              api.GoModuleFunction
	params, results []api.ValueType
}

var (
	i32 = api.ValueTypeI32
	f64 = api.ValueTypeF64
)

// hostFuncs are the functions of ABI version 1. They run on the calling
// goroutine, find their call through the context, and trap (panic, which
// wazero turns into the call's error) on a buffer outside the module's
// memory.
var hostFuncs = []hostFunc{
	{abi.ImportCommentField, api.GoModuleFunc(commentField), []api.ValueType{i32, i32, i32}, []api.ValueType{i32}},
	{abi.ImportCommentRead, api.GoModuleFunc(commentRead), []api.ValueType{i32, i32}, []api.ValueType{i32}},
	{abi.ImportCommentTime, api.GoModuleFunc(commentTime), nil, []api.ValueType{f64}},
	{abi.ImportMetadataGet, api.GoModuleFunc(metadataGet), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}},
	{abi.ImportSetting, api.GoModuleFunc(setting), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}},
	{abi.ImportSettingsJSON, api.GoModuleFunc(settingsJSON), []api.ValueType{i32, i32}, []api.ValueType{i32}},
	{abi.ImportSetReason, api.GoModuleFunc(setReason), []api.ValueType{i32, i32}, nil},
	{abi.ImportSetField, api.GoModuleFunc(setField), []api.ValueType{i32, i32, i32}, nil},
	{abi.ImportSetTime, api.GoModuleFunc(setTime), []api.ValueType{f64}, nil},
	{abi.ImportSetMetadata, api.GoModuleFunc(setMetadata), []api.ValueType{i32, i32, i32, i32}, nil},
	{abi.ImportLog, api.GoModuleFunc(hostLog), []api.ValueType{i32, i32, i32}, nil},
}

// instantiateHost adds module "danmaku" to rt.
func instantiateHost(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(abi.ImportModule)
	for _, f := range hostFuncs {
		b.NewFunctionBuilder().WithGoModuleFunction(f.fn, f.params, f.results).Export(f.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// read returns n bytes of the module's memory at ptr, trapping when they
// lie outside it. The slice aliases the memory: copy before keeping it.
func read(mod api.Module, ptr, n uint64) []byte {
	b, ok := mod.Memory().Read(uint32(ptr), uint32(n))
	if !ok {
		panic(fmt.Errorf("the module passed a buffer outside its memory: %d bytes at %d", uint32(n), uint32(ptr)))
	}
	return b
}

// answerBytes is answer for a byte slice.
func answerBytes(mod api.Module, stack []uint64, buf, capacity uint64, v []byte) {
	n := min(uint32(len(v)), uint32(capacity))
	if n > 0 && !mod.Memory().Write(uint32(buf), v[:n]) {
		panic(fmt.Errorf("the module passed a buffer outside its memory: %d bytes at %d", n, uint32(buf)))
	}
	stack[0] = api.EncodeI32(int32(len(v)))
}

// answer writes up to capacity bytes of v at buf and puts v's full length
// on the stack (-1 when !ok), as comment_field and its kin promise.
func answer(mod api.Module, stack []uint64, buf, capacity uint64, v string, ok bool) {
	if !ok {
		stack[0] = api.EncodeI32(-1)
		return
	}
	n := min(uint32(len(v)), uint32(capacity))
	if n > 0 && !mod.Memory().WriteString(uint32(buf), v[:n]) {
		panic(fmt.Errorf("the module passed a buffer outside its memory: %d bytes at %d", n, uint32(buf)))
	}
	stack[0] = api.EncodeI32(int32(len(v)))
}

func commentField(ctx context.Context, mod api.Module, stack []uint64) {
	v, ok := callFrom(ctx).field(api.DecodeI32(stack[0]))
	answer(mod, stack, stack[1], stack[2], v, ok)
}

func commentRead(ctx context.Context, mod api.Module, stack []uint64) {
	answerBytes(mod, stack, stack[0], stack[1], callFrom(ctx).record())
}

func commentTime(ctx context.Context, _ api.Module, stack []uint64) {
	c := callFrom(ctx)
	t := 0.0
	if c.in != nil {
		t = c.in.Time
	}
	stack[0] = api.EncodeF64(t)
}

func metadataGet(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	var v string
	ok := false
	if c.in != nil {
		v, ok = c.in.Metadata[string(read(mod, stack[0], stack[1]))]
	}
	answer(mod, stack, stack[2], stack[3], v, ok)
}

func setting(ctx context.Context, mod api.Module, stack []uint64) {
	v, ok := callFrom(ctx).p.settings.text[string(read(mod, stack[0], stack[1]))]
	answer(mod, stack, stack[2], stack[3], v, ok)
}

func settingsJSON(ctx context.Context, mod api.Module, stack []uint64) {
	answer(mod, stack, stack[0], stack[1], callFrom(ctx).p.settings.json, true)
}

func setReason(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	if s, ok := c.text("the reason", read(mod, stack[0], stack[1]), abi.MaxReason); ok {
		c.reason = s
	}
}

func setField(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	if s, ok := c.text("a rewritten field", read(mod, stack[1], stack[2]), abi.MaxField); ok {
		c.setField(api.DecodeI32(stack[0]), s)
	}
}

func setTime(ctx context.Context, _ api.Module, stack []uint64) {
	callFrom(ctx).rewrite().Time = api.DecodeF64(stack[0])
}

func setMetadata(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	k, okK := c.text("a metadata key", read(mod, stack[0], stack[1]), abi.MaxReason)
	v, okV := c.text("a metadata value", read(mod, stack[2], stack[3]), abi.MaxField)
	if okK && okV {
		out := c.rewrite()
		if out.Metadata == nil {
			out.Metadata = map[string]string{}
		}
		out.Metadata[k] = v
	}
}

func hostLog(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	msg := read(mod, stack[1], min(uint64(uint32(stack[2])), abi.MaxLog))
	c.p.log.Log(ctx, slog.Level(api.DecodeI32(stack[0])), string(msg), "plugin", Name, "module", c.p.path)
}
