package wordfilter_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/wordfilter"
)

func mask(name, in, want string) plugintest.Case {
	return plugintest.Case{Name: name, Text: in, Want: plugins.ActionRewrite, WantText: want}
}

func allow(name, in string) plugintest.Case {
	return plugintest.Case{Name: name, Text: in, Want: plugins.ActionAllow}
}

func TestMask(t *testing.T) {
	p := plugintest.New(t, wordfilter.New, `words: [bad, "bad word", ass, 傻逼, 垃圾游戏, "he"]`, nil)
	plugintest.Run(t, p, []plugintest.Case{
		mask("plain", "a bad day", "a *** day"),
		mask("case", "BAD", "***"),
		mask("full width", "ＢＡＤ！", "***！"),
		mask("math letters", "so 𝐛𝐚𝐝", "so ***"),
		mask("accents", "bád", "***"),
		mask("spaced letters keep their spaces", "b a d", "* * *"),
		mask("dotted", "b.a.d.", "*.*.*."),
		mask("zero width between", "b\u200ba\u200bd", "*\u200b*\u200b*"),
		mask("phrase across spaces", "what a bad  word", "what a ***  ****"),
		mask("chinese anywhere", "你这个傻逼啊", "你这个**啊"),
		mask("chinese spaced", "傻 逼", "* *"),
		mask("overlapping words", "垃圾游戏傻逼", "******"),
		mask("latin next to chinese is a boundary", "bad了", "***了"),
		mask("emoji kept intact", "😀bad😀", "😀***😀"),
		allow("inside a longer word", "badge"),
		allow("scunthorpe", "a classic class"),
		allow("no words", "今天天气很好 nice"),
		allow("letters across words", "ab ad"),
		allow("short word inside words", "the hen"),
	})
}

func TestSubstringMode(t *testing.T) {
	p := plugintest.New(t, wordfilter.New, `{words: [ass], whole_words: false}`, nil)
	plugintest.Run(t, p, []plugintest.Case{mask("matches inside words", "class", "cl***")})
}

func TestReject(t *testing.T) {
	p := plugintest.New(t, wordfilter.New, `{words: [spoiler], action: reject}`, nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "plural is another word", Text: "no SPOILERS", Want: plugins.ActionAllow},
		{Name: "exact", Text: "spoiler!", Want: plugins.ActionReject, WantReason: "blocked word"},
	})
}

func TestPatterns(t *testing.T) {
	p := plugintest.New(t, wordfilter.New, `patterns: ['(?i)v\s*x\s*\d{5,}', '加[qQ]群']`, nil)
	plugintest.Run(t, p, []plugintest.Case{
		mask("regex", "add VX 123456 now", "add ********* now"),
		mask("regex chinese", "快加q群", "快***"),
		allow("no match", "vx 12"),
	})
}

func TestWordsFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "words.txt"), []byte("# comment\n\nfoo\n  bar baz  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := plugintest.New(t, wordfilter.New, fmt.Sprintf("words_file: %s", filepath.Join(dir, "words.txt")), nil)
	plugintest.Run(t, p, []plugintest.Case{
		mask("first", "foo!", "***!"),
		mask("phrase", "bar-baz", "***-***"),
		allow("comment line is not a word", "comment"),
	})
}

func TestManyWords(t *testing.T) {
	var words []string
	for i := range 10000 {
		words = append(words, fmt.Sprintf("w%dx", i))
	}
	words = append(words, "needle")
	p := plugintest.New(t, wordfilter.New, "words: ["+strings.Join(words, ",")+"]", nil)
	plugintest.Run(t, p, []plugintest.Case{
		mask("last of many", "a needle here", "a ****** here"),
		mask("one of many", "w9999x and w5x", "****** and ***"),
		allow("prefix of many", "w9999 w5"),
	})
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, wordfilter.New, []plugintest.ConfigCase{
		{Name: "action", Config: "action: zap", Want: `action: must be mask or reject, got "zap"`},
		{Name: "symbol-only word", Config: "words: [ok, '!!!']", Want: `words[1]: "!!!" has no letters or digits`},
		{Name: "too long", Config: "words: [" + strings.Repeat("a", 65) + "]", Want: "longer than 64"},
		{Name: "missing file", Config: "words_file: /nonexistent/words.txt", Want: "words_file: open /nonexistent/words.txt"},
		{Name: "bad regex", Config: "patterns: ['(']", Want: "patterns[0]: error parsing regexp"},
	})
}
