// Package nospoilers holds comments that name spoiler words early in the
// video, until a moderator has looked at them. It is the worked example in
// docs/plugins.md: a complete plugin in one small file.
package nospoilers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under, used in config files.
const Name = "nospoilers"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	// Words are the spoilers to look for, matched ignoring case and width.
	Words []string `yaml:"words"`
	// Window is how far into the video comments are checked; default 10m.
	Window time.Duration `yaml:"window"`
}

// Guard is the plugin: it holds early comments that name a spoiler.
type Guard struct {
	cfg   Config
	words []string // folded once here, not per comment
}

// Interface guards: the compiler checks the capabilities the host will look for.
var (
	_ plugins.Moderator   = (*Guard)(nil)
	_ plugins.Configurer  = (*Guard)(nil)
	_ plugins.NonBlocking = (*Guard)(nil)
)

// New returns a Guard with the default config; it is the plugin's Factory.
func New() plugins.Moderator {
	return &Guard{cfg: Config{Window: 10 * time.Minute}}
}

// Configure decodes and validates the config block.
func (g *Guard) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&g.cfg); err != nil {
		return err
	}
	if len(g.cfg.Words) == 0 {
		return plugins.FieldErrorf("words", "list at least one spoiler word")
	}
	if g.cfg.Window <= 0 {
		return plugins.FieldErrorf("window", "must be positive, got %v", g.cfg.Window)
	}
	g.words = g.words[:0]
	for i, w := range g.cfg.Words {
		f := fold(w)
		if strings.TrimSpace(f) == "" {
			return plugins.FieldErrorf(fmt.Sprintf("words[%d]", i), "is empty")
		}
		g.words = append(g.words, f)
	}
	return nil
}

// NonBlocking reports that Moderate only computes, so the chain calls it inline.
func (g *Guard) NonBlocking() bool { return true }

// Moderate holds a comment made in the first Window of the video when it
// names a spoiler word; later comments and all others pass.
func (g *Guard) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	if c.Time >= g.cfg.Window.Seconds() {
		return plugins.Allow(), nil
	}
	text := fold(c.Text)
	for _, w := range g.words {
		if strings.Contains(text, w) {
			return plugins.Hold(fmt.Sprintf("possible spoiler: held for a moderator during the first %v of the video", g.cfg.Window)), nil
		}
	}
	return plugins.Allow(), nil
}

// fold makes "ＳＮＡＰＥ" and "Snape" compare equal.
func fold(s string) string { return strings.ToLower(width.Fold.String(s)) }
