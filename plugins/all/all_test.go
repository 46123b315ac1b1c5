package all_test

import (
	"slices"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/all"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func TestEveryBuiltinRegistered(t *testing.T) {
	want := []string{"blocklist", "flood", "links", "nospoilers", "ratelimit", "rules", "sanitize", "wasm", "webhook", "wordfilter"}
	if got := plugins.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

// TestDefaultChain runs the default configuration end to end.
func TestDefaultChain(t *testing.T) {
	h := plugintest.NewHost(t)
	h.Blocks.Add(plugins.Block{UserID: "troll", Reason: "spam"})
	s, err := plugins.Build(plugins.DefaultConfig(), nil, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	by := func(user, text string) plugins.Comment {
		c := plugintest.Comment(text)
		c.User.ID = user
		return c
	}
	plugintest.RunChain(t, s, []plugintest.Case{
		{Name: "ordinary comment", In: by("a", "这集太好看了 😂"), Want: plugins.ActionAllow},
		{Name: "banned user", In: by("troll", "hi"), Want: plugins.ActionReject, WantPlugin: "blocklist"},
		{Name: "sanitized", In: by("b", "  hello\u200b  world "), Want: plugins.ActionRewrite, WantText: "hello world", WantPlugin: "sanitize"},
		{Name: "empty", In: by("c", "\u200b \u3000"), Want: plugins.ActionReject, WantPlugin: "sanitize"},
		{Name: "runs shortened", In: by("d", "哈哈哈哈哈哈哈哈哈哈"), Want: plugins.ActionRewrite, WantText: "哈哈哈哈哈哈", WantPlugin: "flood"},
		{Name: "link", In: by("e", "加我 spam.com"), Want: plugins.ActionReject, WantPlugin: "links"},
		{Name: "repeat", In: by("a", "这集太好看了😂"), Want: plugins.ActionReject, WantPlugin: "flood"},
	})
	if got := s.Join(t.Context(), plugins.Join{Room: "room1", User: plugins.User{ID: "troll"}}); got.Allowed {
		t.Error("banned user joined")
	}
}
