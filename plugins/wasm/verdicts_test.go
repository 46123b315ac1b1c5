package wasm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
)

// registry has the wasm plugin and a native upper-caser to chain with it.
func registry() *plugins.Registry {
	reg := plugins.NewRegistry()
	reg.Register(wasm.Name, wasm.New)
	return reg
}

func TestVerdictsThroughTheChain(t *testing.T) {
	module := tester(t)
	s := plugintest.Set(t, registry(), nil, `
plugins:
  - {name: wasm, config: {module: "`+module+`", settings: {greeting: hello, n: 3, nested: {a: [1, 2]}}}}
`)
	plugintest.RunChain(t, s, []plugintest.Case{
		{Name: "allow", Text: "fine comment", Want: plugins.ActionAllow},
		{Name: "reject", Text: "reject this", Want: plugins.ActionReject, WantReason: "reject by wasm", WantPlugin: "wasm"},
		{Name: "hold", Text: "hold this", Want: plugins.ActionHold, WantReason: "hold by wasm"},
		{Name: "shadow", Text: "shadow this", Want: plugins.ActionShadow, WantReason: "shadow by wasm"},
		{Name: "rewrite", Text: "upper case me", Want: plugins.ActionRewrite, WantText: "UPPER CASE ME", WantReason: "shouted on purpose"},
		{Name: "settings as JSON", Text: "setting", Want: plugins.ActionReject,
			WantReason: `{"greeting":"hello","n":3,"nested":{"a":[1,2]}}`},
	})
}

func TestRewriteCarriesEveryField(t *testing.T) {
	p := plugintest.New(t, wasm.New, block(tester(t), ""), nil)
	in := plugintest.Comment("upper é")
	in.Metadata = map[string]string{"via": "ws"}
	v, err := p.Moderate(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	out := v.Comment
	if v.Action != plugins.ActionRewrite || out.Text != "UPPER É" || out.Color != "#ff0000" || out.Size != plugins.SizeLarge || out.Time != in.Time+1 {
		t.Errorf("rewrite %v %+v", v.Action, out)
	}
	if out.Metadata["seen"] != "ws" || out.Metadata["user"] != "u1" || out.Metadata["via"] != "ws" {
		t.Errorf("metadata %v, want via kept and seen=ws, user=u1 added", out.Metadata)
	}
	if in.Metadata["seen"] != "" {
		t.Errorf("the rewrite changed the caller's metadata: %v", in.Metadata)
	}
	if out.ID != in.ID || out.Room != in.Room || out.User.ID != in.User.ID || out.IP != in.IP {
		t.Errorf("identity changed: %+v", out)
	}
}

func TestModuleSeesTheWholeComment(t *testing.T) {
	p := plugintest.New(t, wasm.New, block(tester(t), ""), nil)
	c := plugintest.Comment("echo 你好")
	c.User = plugins.User{ID: "u9", Name: "Ann", Roles: []string{"viewer", "moderator"}}
	c.Mode, c.Color, c.Size, c.Time = plugins.ModeTop, "#00ff00", plugins.SizeSmall, 42.25
	c.Metadata = map[string]string{"via": "rest", "b": "2"}
	v, err := p.Moderate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	want := `room=room1 user=u9/Ann roles=viewer,moderator text=echo 你好 time=4225 mode=top color=#00ff00 size=small meta=b,via`
	if v.Reason != want {
		t.Errorf("module saw\n%s\nwant\n%s", v.Reason, want)
	}
}

// TestLongTextGrowsTheBuffer sends a text longer than the kit's first
// buffer, so it has to ask again.
func TestLongTextGrowsTheBuffer(t *testing.T) {
	p := plugintest.New(t, wasm.New, block(tester(t), ""), nil)
	text := "upper " + strings.Repeat("ab", 4000)
	v, err := p.Moderate(context.Background(), plugintest.Comment(text))
	if err != nil || v.Comment.Text != strings.ToUpper(text) {
		t.Fatalf("Moderate: %v, %d bytes back, want %d", err, len(v.Comment.Text), len(text))
	}
}
