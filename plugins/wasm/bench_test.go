package wasm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wasm"
	"github.com/danmaku/danmaku/plugins/webhook"
)

// shouting is the rule of the shout examples, in plain Go.
func shouting(text string, minLength int) bool {
	runes, capitals := 0, false
	for _, r := range text {
		if unicode.IsLower(r) {
			return false
		}
		runes, capitals = runes+1, capitals || unicode.IsUpper(r)
	}
	return runes > minLength && capitals
}

// nativeShout is the shout plugin compiled into the server.
type nativeShout struct{}

func (nativeShout) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	if shouting(c.Text, 8) {
		return plugins.Reject("please don't shout"), nil
	}
	return plugins.Allow(), nil
}

func (nativeShout) NonBlocking() bool { return true }

// benchTexts are what the benchmark sends, round robin: mostly ordinary
// comments, one in four shouting.
var benchTexts = []string{"this is so good", "前方高能 the best part", "FIRST TIME WATCHING THIS", "lol 233333"}

// BenchmarkShout measures the cost per comment of the shout plugin through
// a chain, as native Go, as WebAssembly (the Go guest and AssemblyScript)
// and as a webhook on loopback, in one run. See docs/BENCHMARKS.md.
func BenchmarkShout(b *testing.B) {
	const secret = "bench-secret"
	b.Setenv(webhook.DefaultSecretEnv, secret)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := webhook.ReadRequest([]byte(secret), r)
		if errors.Is(err, webhook.ErrBadSignature) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if shouting(req.Comment.Text, 8) {
			_ = json.NewEncoder(w).Encode(webhook.Response{Action: "reject", Reason: "please don't shout"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(receiver.Close)

	reg := plugins.NewRegistry()
	reg.Register("native", func() plugins.Moderator { return nativeShout{} })
	reg.Register(wasm.Name, wasm.New)
	reg.Register(webhook.Name, webhook.New)
	// Timeouts are generous: this measures cost, and a busy machine can
	// stall any call now and then.
	for _, tc := range []struct {
		name, entry string
		shout       bool // false: the plugin allows everything
	}{
		{"native-go", `{name: native, timeout: 10s}`, true},
		{"wasm-go", `{name: wasm, timeout: 10s, config: {module: "` + shoutGo(b) + `"}}`, true},
		{"wasm-assemblyscript", `{name: wasm, timeout: 10s, config: {module: "` + shoutAS(b) + `"}}`, true},
		{"webhook-loopback", `{name: webhook, timeout: 10s, config: {url: "` + receiver.URL + `"}}`, true},
		// The floor of a Go guest: the kit reads the comment, the module allows it.
		{"wasm-go-kit-only", `{name: wasm, timeout: 10s, config: {module: "` + tester(b) + `", settings: {mode: allow}}}`, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := plugintest.Set(b, reg, nil, "plugins: ["+tc.entry+"]")
			ctx := context.Background()
			c := plugintest.Comment("")
			rejects, i := 0, 0
			b.ReportAllocs()
			for b.Loop() {
				c.Text = benchTexts[i%len(benchTexts)]
				if s.Run(ctx, c).Action == plugins.ActionReject {
					rejects++
				}
				i++
			}
			want := 0
			if tc.shout {
				want = i / len(benchTexts)
			}
			if rejects < want || rejects > want+1 {
				b.Fatalf("%d rejects in %d comments, want %d", rejects, i, want)
			}
		})
	}
}
