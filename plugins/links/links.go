// Package links rejects or strips URLs in comments unless their domain is
// allow-listed.
//
// It finds, after folding full-width forms (ｗｗｗ．ｘ．ｃｏｍ reads www.x.com):
//   - scheme URLs: http:// and https:// followed by anything;
//   - www. names: www.example followed by anything;
//   - bare domains: dot-separated labels of ASCII letters, digits and '-'
//     whose last label is one of the configured TLDs (default: common
//     generic and popular country TLDs, leaving out the ones that read as
//     English words, such as .in, .it, .to, .is, so "log.in" is not a link).
//
// Internationalised domain names written in Unicode are not detected.
package links

import (
	"context"
	"fmt"
	"strings"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "links"

func init() { plugins.Register(Name, New) }

// DefaultTLDs are the top-level domains that make a bare name a link.
var DefaultTLDs = []string{
	"com", "net", "org", "info", "biz", "io", "co", "me", "tv", "cc", "gg", "ly", "xyz", "top",
	"club", "site", "online", "shop", "store", "app", "dev", "vip", "live", "fun", "icu", "link",
	"click", "pw", "ws", "su", "ru", "cn", "uk", "de", "jp", "kr", "fr", "nl", "br", "eu", "tk",
	"ml", "ga", "cf", "gq", "hk", "tw", "sg", "ca", "au",
}

// Config is the plugin's config block.
type Config struct {
	Action string   `yaml:"action"` // reject (default) or strip
	Allow  []string `yaml:"allow"`  // allowed domains; their subdomains are allowed too
	TLDs   []string `yaml:"tlds"`   // replaces DefaultTLDs for bare domains
}

// Filter is the plugin.
type Filter struct {
	cfg   Config
	allow []string
	tlds  map[string]bool
}

var (
	_ plugins.Moderator   = (*Filter)(nil)
	_ plugins.Configurer  = (*Filter)(nil)
	_ plugins.NonBlocking = (*Filter)(nil)
)

// New returns a Filter that rejects every link.
func New() plugins.Moderator {
	f := &Filter{cfg: Config{Action: "reject"}}
	f.tlds = set(DefaultTLDs)
	return f
}

func set(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[strings.ToLower(strings.TrimPrefix(w, "."))] = true
	}
	return m
}

// Configure decodes and validates the config block.
func (f *Filter) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&f.cfg); err != nil {
		return err
	}
	if f.cfg.Action != "reject" && f.cfg.Action != "strip" {
		return plugins.FieldErrorf("action", "must be reject or strip, got %q", f.cfg.Action)
	}
	f.allow = f.allow[:0]
	for i, d := range f.cfg.Allow {
		d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
		if d == "" || strings.ContainsAny(d, "/: ") {
			return plugins.FieldErrorf(fmt.Sprintf("allow[%d]", i), "%q is not a domain like example.com", f.cfg.Allow[i])
		}
		f.allow = append(f.allow, d)
	}
	if f.cfg.TLDs != nil {
		f.tlds = set(f.cfg.TLDs)
	}
	return nil
}

// NonBlocking reports that Moderate only computes.
func (f *Filter) NonBlocking() bool { return true }

// Moderate rejects, or strips, links to domains not allowed.
func (f *Filter) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	if !mayLink(c.Text) {
		return plugins.Allow(), nil // no dot, no link: the common case costs a few fast scans
	}
	var cut []span
	for _, l := range find(c.Text, f.tlds) {
		if !f.allowed(l.host) {
			cut = append(cut, l.span)
		}
	}
	switch {
	case len(cut) == 0:
		return plugins.Allow(), nil
	case f.cfg.Action == "reject":
		return plugins.Reject("links are not allowed here"), nil
	}
	if c.Text = strip(c.Text, cut); c.Text == "" {
		return plugins.Reject("links are not allowed here"), nil
	}
	return plugins.Rewrite(c, "removed links"), nil
}

// mayLink reports whether s has a dot or colon, ASCII or full-width.
func mayLink(s string) bool {
	return strings.IndexByte(s, '.') >= 0 || strings.IndexByte(s, ':') >= 0 ||
		strings.Contains(s, "。") || strings.Contains(s, "．") || strings.Contains(s, "｡") || strings.Contains(s, "：")
}

// allowed reports whether host is an allowed domain or a subdomain of one.
func (f *Filter) allowed(host string) bool {
	host = strings.TrimPrefix(host, "www.")
	for _, d := range f.allow {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// strip removes the spans (byte ranges, in order) and tidies the spaces left.
func strip(s string, cut []span) string {
	var sb strings.Builder
	last := 0
	for _, sp := range cut {
		sb.WriteString(s[last:sp.start])
		last = sp.end
	}
	sb.WriteString(s[last:])
	return strings.Join(strings.Fields(sb.String()), " ")
}
