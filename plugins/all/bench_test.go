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

// benchEnv is the shared setup: a 10,000-word list file, a pool of
// comment texts, and 10,007 users with their own addresses.
type benchEnv struct {
	wordsFile string
	texts     []string
	users     []plugins.Comment
}

func newBenchEnv(b *testing.B) benchEnv {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	words := benchWords(rng)
	env := benchEnv{wordsFile: filepath.Join(b.TempDir(), "words.txt"), texts: benchComments(rng, words, 1<<16)}
	if err := os.WriteFile(env.wordsFile, []byte(strings.Join(words, "\n")), 0o600); err != nil {
		b.Fatal(err)
	}
	env.users = make([]plugins.Comment, 10007)
	for u := range env.users {
		c := plugintest.Comment("")
		c.User.ID = fmt.Sprint("user", u)
		c.IP = netip.AddrFrom4([4]byte{10, byte(u >> 16), byte(u >> 8), byte(u)})
		env.users[u] = c
	}
	return env
}

// config is the default chain, or only entry `only` of it, with the word list.
func (env benchEnv) config(b *testing.B, only string) *plugins.Config {
	b.Helper()
	cfg := plugins.DefaultConfig()
	var kept []plugins.Entry
	for _, e := range cfg.Plugins {
		if e.Name == "wordfilter" {
			raw, err := plugins.ParseRawConfig("words_file: " + env.wordsFile)
			if err != nil {
				b.Fatal(err)
			}
			e.Config = raw
		}
		if only == "" || e.Name == only {
			kept = append(kept, e)
		}
	}
	cfg.Plugins = kept
	return cfg
}

// run moderates comments round-robin, the clock moving 1ms per comment (so
// each user comments about every 10s), and reports the share of each action.
func (env benchEnv) run(b *testing.B, cfg *plugins.Config) {
	b.Helper()
	h := plugintest.NewHost(b)
	s, err := plugins.Build(cfg, nil, h)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	var counts [5]int
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		h.Clock.Advance(time.Millisecond)
		c := env.users[i%len(env.users)]
		c.Text = env.texts[i%len(env.texts)]
		counts[s.Run(ctx, c).Action]++
		i++
	}
	for a, n := range counts {
		b.ReportMetric(float64(n)/float64(i), plugins.Action(a).String()+"/op")
	}
}

// BenchmarkDefaultChain runs the default chain, with a 10,000-word list,
// over realistic comments (see benchComments) from 10,007 users.
func BenchmarkDefaultChain(b *testing.B) {
	env := newBenchEnv(b)
	env.run(b, env.config(b, ""))
}

// BenchmarkEachPlugin runs each plugin of the default chain alone, to see
// where the time of BenchmarkDefaultChain goes.
func BenchmarkEachPlugin(b *testing.B) {
	env := newBenchEnv(b)
	for _, e := range plugins.DefaultConfig().Plugins {
		b.Run(e.Name, func(b *testing.B) { env.run(b, env.config(b, e.Name)) })
	}
}
