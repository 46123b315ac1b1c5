package plugins_test

import (
	"context"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// BenchmarkChainOverhead measures what the chain machinery itself costs
// per comment for five trivial plugins: inline (NonBlocking) versus on a
// worker goroutine, which is what any plugin without NonBlocking gets.
func BenchmarkChainOverhead(b *testing.B) {
	for _, bc := range []struct{ name, config string }{
		{"inline", "plugins: [allow, allow, allow, allow, allow]"},
		{"worker", "plugins: [allow-go, allow-go, allow-go, allow-go, allow-go]"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := newEnv(b)
			s := plugintest.Set(b, env.reg, env.host, bc.config)
			c := plugintest.Comment("hello")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if s.Run(ctx, c).Action != plugins.ActionAllow {
					b.Fatal("not allowed")
				}
			}
		})
	}
}

// BenchmarkDeadlineContext compares a per-call context.WithTimeout with
// the lazy deadline context the chain hands to plugins (via a one-plugin chain).
func BenchmarkDeadlineContext(b *testing.B) {
	b.Run("context.WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			_ = ctx.Err()
			cancel()
		}
	})
	b.Run("chain-inline-call", func(b *testing.B) {
		env := newEnv(b)
		s := plugintest.Set(b, env.reg, env.host, "plugins: [allow]")
		c := plugintest.Comment("hello")
		b.ReportAllocs()
		for b.Loop() {
			s.Run(context.Background(), c)
		}
	})
}
