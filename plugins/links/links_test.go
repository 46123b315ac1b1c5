package links_test

import (
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/links"
	"github.com/danmaku/danmaku/plugins/plugintest"
)

func TestReject(t *testing.T) {
	p := plugintest.New(t, links.New, "allow: [bilibili.com, Example.org]", nil)
	reject := func(name, text string) plugintest.Case {
		return plugintest.Case{Name: name, Text: text, Want: plugins.ActionReject, WantReason: "links"}
	}
	allow := func(name, text string) plugintest.Case {
		return plugintest.Case{Name: name, Text: text, Want: plugins.ActionAllow}
	}
	plugintest.Run(t, p, []plugintest.Case{
		reject("https URL", "see https://evil.example.net/x?y=1"),
		reject("http URL with IP", "http://203.0.113.5:8080/a"),
		reject("scheme is case-insensitive", "HTTPS://EVIL.NET"),
		reject("www name with unknown TLD", "go to www.spam.zzz now"),
		reject("bare domain", "加我 spam.com 免费"),
		reject("bare domain with path", "spam.xyz/abc"),
		reject("full-width domain", "ｓｐａｍ．ｃｏｍ"),
		reject("ideographic full stop", "spam。com"),
		reject("subdomain of a not allowed domain", "cdn.spam.cn"),
		reject("allowed name inside another domain", "bilibili.com.evil.net"),
		reject("lookalike suffix", "notbilibili.com"),
		allow("allowed domain", "https://www.bilibili.com/video/BV1"),
		allow("allowed subdomain", "m.bilibili.com"),
		allow("allowed case-insensitive", "EXAMPLE.ORG/page"),
		allow("plain text", "这集太好看了 2333"),
		allow("numbers are not domains", "version 1.5.2 is out"),
		allow("unknown tld", "main.go and node.js"),
		allow("english-word tld left out", "log.in please"),
		allow("sentence full stop", "好看。下一集"),
		allow("ellipsis", "wait... what"),
	})
}

func TestStrip(t *testing.T) {
	p := plugintest.New(t, links.New, "{action: strip, allow: [ok.com]}", nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "strips the URL only", Text: "nice https://spam.net/x video", Want: plugins.ActionRewrite, WantText: "nice video"},
		{Name: "keeps allowed", Text: "see ok.com and spam.com", Want: plugins.ActionRewrite, WantText: "see ok.com and"},
		{Name: "nothing but a link is rejected", Text: " spam.com ", Want: plugins.ActionReject},
		{Name: "no link", Text: "hello", Want: plugins.ActionAllow},
	})
}

func TestCustomTLDs(t *testing.T) {
	p := plugintest.New(t, links.New, "tlds: [.test]", nil)
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "configured tld", Text: "a.test", Want: plugins.ActionReject},
		{Name: "default list replaced", Text: "a.com", Want: plugins.ActionAllow},
	})
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, links.New, []plugintest.ConfigCase{
		{Name: "bad action", Config: "action: drop", Want: `action: must be reject or strip, got "drop"`},
		{Name: "url not domain", Config: "allow: [ok.com, 'https://x.com']", Want: `allow[1]: "https://x.com" is not a domain`},
	})
}
