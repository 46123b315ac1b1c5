package plugins_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestCounters(t *testing.T) {
	env := newEnv(t)
	s := env.set(t, `
plugins:
  - upper
  - name: reject
  - name: error
`)
	for range 3 {
		s.Run(t.Context(), plugintest.Comment("x"))
	}
	tests := []struct {
		name string
		got  plugins.PluginStats
		want plugins.PluginStats
	}{
		{"rewriter", stats(s, 0), plugins.PluginStats{Name: "upper", Index: 0, Calls: 3, Rewrites: 3}},
		{"rejecter", stats(s, 1), plugins.PluginStats{Name: "reject", Index: 1, Calls: 3, Rejects: 3}},
		{"never reached", stats(s, 2), plugins.PluginStats{Name: "error", Index: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, w := tt.got, tt.want
			if g.Name != w.Name || g.Index != w.Index || g.Calls != w.Calls || g.Allows != w.Allows ||
				g.Rewrites != w.Rewrites || g.Rejects != w.Rejects || g.Errors != w.Errors {
				t.Errorf("stats = %+v, want %+v", g, w)
			}
			if g.Latency.Count != w.Calls {
				t.Errorf("latency count = %d, want %d", g.Latency.Count, w.Calls)
			}
			if g.OnError != plugins.OnErrorAllow || g.TimeoutMS != float64(testTimeout.Milliseconds()) {
				t.Errorf("on_error %q timeout %vms, want allow and %v", g.OnError, g.TimeoutMS, testTimeout)
			}
		})
	}
	t.Run("histogram is cumulative", func(t *testing.T) {
		b := stats(s, 0).Latency.Buckets
		if len(b) != len(plugins.LatencyBuckets) {
			t.Fatalf("%d buckets, want %d", len(b), len(plugins.LatencyBuckets))
		}
		for i := 1; i < len(b); i++ {
			if b[i].Count < b[i-1].Count || b[i].LE <= b[i-1].LE {
				t.Fatalf("bucket %d (%+v) below bucket %d (%+v)", i, b[i], i-1, b[i-1])
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		out, err := json.Marshal(s.Stats())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"name":"upper"`, `"rewrites":3`, `"on_error":"allow"`, `"le":0.00001`, `"loaded_at"`} {
			if !strings.Contains(string(out), want) {
				t.Errorf("JSON lacks %s:\n%s", want, out)
			}
		}
	})
}

func TestActionText(t *testing.T) {
	tests := []struct {
		a        plugins.Action
		want     string
		stops    bool
		accepted bool
	}{
		{plugins.ActionAllow, "allow", false, true},
		{plugins.ActionRewrite, "rewrite", false, true},
		{plugins.ActionReject, "reject", true, false},
		{plugins.ActionHold, "hold", true, false},
		{plugins.ActionShadow, "shadow", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, err := tt.a.MarshalText()
			if err != nil || string(b) != tt.want || tt.a.String() != tt.want {
				t.Errorf("text = %q, %v; want %q", b, err, tt.want)
			}
			if tt.a.Stops() != tt.stops || tt.a.Accepted() != tt.accepted {
				t.Errorf("Stops %v Accepted %v, want %v %v", tt.a.Stops(), tt.a.Accepted(), tt.stops, tt.accepted)
			}
		})
	}
	if _, err := plugins.Action(9).MarshalText(); err == nil {
		t.Error("MarshalText accepted an unknown action")
	}
}
