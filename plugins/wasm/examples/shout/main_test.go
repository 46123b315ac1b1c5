package main

import (
	"os"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
	"github.com/danmaku/danmaku/plugins/wasm/guest"
	"github.com/danmaku/danmaku/plugins/wasm/wasmtest"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

// The plugin's logic is plain Go: it is tested natively, without building
// the module.
func TestShout(t *testing.T) {
	if err := setup(guest.NewSettings(map[string]string{"min_length": "5"}, "")); err != nil {
		t.Fatal(err)
	}
	if v := shout(guest.Comment{Text: "HELLO WORLD"}); v.Action != guest.ActionReject {
		t.Errorf("got %v", v.Action)
	}
	for _, tc := range []struct {
		text string
		want guest.Action
	}{
		{"Hello World", guest.ActionAllow},
		{"HELLO", guest.ActionAllow}, // five runes: not more than min_length
		{"12345678!", guest.ActionAllow},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if v := shout(guest.Comment{Text: tc.text}); v.Action != tc.want {
				t.Errorf("shout(%q) = %v, want %v", tc.text, v.Action, tc.want)
			}
		})
	}
}

// The module itself, built with the real toolchain and run by the real host.
func TestShoutModule(t *testing.T) {
	module := wasmtest.BuildGo(t, ".") // GOOS=wasip1 go build -buildmode=c-shared
	p := plugintest.New(t, wasm.New, `{module: "`+module+`", settings: {min_length: 3}}`, nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "shouting", Text: "OMG WOW", Want: plugins.ActionReject, WantReason: "please don't shout"},
		{Name: "quiet", Text: "omg wow"},
	})
}

// TestDocsShowThisCode keeps "Writing a WebAssembly plugin" in
// docs/plugins.md true: it quotes main.go from `package main` on, in at
// most 30 lines, and the two tests above.
func TestDocsShowThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(src), "package main\n")
	code = "package main\n" + code
	if n := strings.Count(strings.TrimSpace(code), "\n") + 1; n > 30 {
		t.Errorf("the example is %d lines, the docs promise at most 30", n)
	}
	if !strings.Contains(string(doc), code) {
		t.Error("docs/plugins.md no longer quotes main.go: update the docs")
	}
	test, err := os.ReadFile("main_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"func TestShout(t *testing.T) {", "func TestShoutModule(t *testing.T) {"} {
		_, body, _ := strings.Cut(string(test), fn)
		body, _, _ = strings.Cut(body, "\n}\n")
		quoted := fn + body + "\n}"
		if fn == "func TestShout(t *testing.T) {" {
			quoted, _, _ = strings.Cut(quoted, "\n\tfor _, tc")
		}
		if !strings.Contains(string(doc), quoted) {
			t.Errorf("docs/plugins.md no longer quotes %s…: update the docs", fn)
		}
	}
}
