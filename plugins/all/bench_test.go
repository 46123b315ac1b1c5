package all_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

// benchWords returns a 10,000-word list: half pseudo-English, half Chinese.
func benchWords(rng *rand.Rand) []string {
	words := make([]string, 0, 10000)
	for range 5000 {
		b := make([]byte, 5+rng.IntN(5))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		words = append(words, string(b))
	}
	for range 5000 {
		r := make([]rune, 2+rng.IntN(3))
		for i := range r {
			r[i] = rune(0x4E00 + rng.IntN(0x9FA5-0x4E00))
		}
		words = append(words, string(r))
	}
	return words
}

var (
	zh    = []string{"这集太好看了", "前方高能", "哈哈哈哈哈哈哈哈哈哈", "awsl", "泪目", "名场面", "打卡", "第一次看", "这个BGM好听", "弹幕护体", "233333", "爷青回", "下次一定", "全体起立", "好家伙", "太真实了", "笑死我了", "这是什么神仙剧情"}
	en    = []string{"this is so good", "lol", "what just happened", "first time watching", "the music is great", "OMG", "nice", "who's here in 2026", "best part", "no way"}
	emoji = []string{"", "", "😂", "👍", "❤️", "🔥", "😭😭", "🤣"}
)

// benchComments makes a pool of realistic comments: mixed Chinese, English
// and emoji, about 1 in 10 with a listed word, 1 in 50 with a link.
func benchComments(rng *rand.Rand, words []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		sb.WriteString(zh[rng.IntN(len(zh))])
		if rng.IntN(2) == 0 {
			sb.WriteString(" " + en[rng.IntN(len(en))])
		}
		switch rng.IntN(50) {
		case 0:
			sb.WriteString(" spam.com")
		case 1, 2, 3, 4, 5:
			sb.WriteString(" " + words[rng.IntN(len(words))] + " ")
		}
		sb.WriteString(emoji[rng.IntN(len(emoji))])
		fmt.Fprintf(&sb, " %d", rng.IntN(1000))
		out[i] = sb.String()
	}
	return out
}

// BenchmarkDefaultChain runs the default chain, with a 10,000-word list,
// over a pool of realistic comments from 10,007 users, the clock moving
// 1ms per comment (so each user comments about every 10s).
func BenchmarkDefaultChain(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := benchWords(rng)
	path := filepath.Join(b.TempDir(), "words.txt")
	if err := os.WriteFile(path, []byte(strings.Join(words, "\n")), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := plugins.DefaultConfig()
	for i, e := range cfg.Plugins {
		if e.Name == "wordfilter" {
			raw, err := plugins.ParseRawConfig("words_file: " + path)
			if err != nil {
				b.Fatal(err)
			}
			cfg.Plugins[i].Config = raw
		}
	}
	h := plugintest.NewHost(b)
	s, err := plugins.Build(cfg, nil, h)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })

	texts := benchComments(rng, words, 1<<16)
	const users = 10007
	comments := make([]plugins.Comment, users)
	for u := range comments {
		c := plugintest.Comment("")
		c.User.ID = fmt.Sprint("user", u)
		c.IP = netip.AddrFrom4([4]byte{10, byte(u >> 16), byte(u >> 8), byte(u)})
		comments[u] = c
	}
	ctx := context.Background()
	var counts [5]int
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		h.Clock.Advance(time.Millisecond)
		c := comments[i%users]
		c.Text = texts[i%len(texts)]
		counts[s.Run(ctx, c).Action]++
		i++
	}
	for a, n := range counts {
		b.ReportMetric(float64(n)/float64(i), plugins.Action(a).String()+"/op")
	}
}
