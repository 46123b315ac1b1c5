// Package rules is a no-code moderation plugin: an ordered list of rules,
// each a match (keywords with wildcards, a regular expression, a caps
// ratio, repeated characters, links, a length) and an action (allow,
// mask, reject, hold, shadow) with a reason, roles exempt from it and
// the rooms it covers. It brings AutoMod-style setups to operators who
// write YAML, not Go.
package rules

import (
	"context"
	"path"
	"regexp"
	"slices"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "rules"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	Rules []Rule `yaml:"rules"`
}

// Rule is one rule. Every condition set in Match must hold for the rule
// to apply.
type Rule struct {
	Name   string `yaml:"name"`   // for logs and the moderators' note; default "rules[i]"
	Match  Match  `yaml:"match"`  // what the rule looks for
	Action string `yaml:"action"` // allow, mask (or rewrite), reject, hold, shadow
	Reason string `yaml:"reason"` // shown to the sender on reject and hold
	// ExemptRoles are the roles the rule skips; default [moderator, admin],
	// [] for nobody.
	ExemptRoles *[]string `yaml:"exempt_roles"`
	Rooms       []string  `yaml:"rooms"` // room ids or patterns (live-*); empty: every room
}

// Match is a rule's conditions.
type Match struct {
	// Keywords are words, case-insensitive after folding (ＢＡＤ is bad):
	// "scam" is that whole word, "spoil*" a word starting with spoil,
	// "*coin" one ending with coin, "*bad*" one containing bad.
	Keywords []string `yaml:"keywords"`
	Regex    string   `yaml:"regex"` // a Go regular expression on the text, e.g. "(?i)free\\s+nitro"
	Caps     *Caps    `yaml:"caps"`
	// Repeat matches a character repeated that many times in a row or more
	// (at least 2).
	Repeat int     `yaml:"repeat"`
	Links  bool    `yaml:"links"` // a URL or a domain; timestamps (1:15:20) and numbers (10.5) are not links
	Length *Length `yaml:"length"`
}

// Caps matches shouting: at least MinLetters cased letters (default 8),
// of which at least Ratio (0 < Ratio <= 1) are capitals.
type Caps struct {
	Ratio      float64 `yaml:"ratio"`
	MinLetters int     `yaml:"min_letters"`
}

// Length matches a comment shorter than Min or longer than Max runes
// (0: no bound).
type Length struct {
	Min int `yaml:"min"`
	Max int `yaml:"max"`
}

// Rules is the plugin.
type Rules struct {
	rules []compiled
}

var (
	_ plugins.Moderator   = (*Rules)(nil)
	_ plugins.Configurer  = (*Rules)(nil)
	_ plugins.NonBlocking = (*Rules)(nil)
)

// New returns a plugin with no rules.
func New() plugins.Moderator { return &Rules{} }

// NonBlocking reports that Moderate only computes (Go's regexp runs in
// linear time).
func (r *Rules) NonBlocking() bool { return true }

// Moderate applies the rules in order: the first allow, reject, hold or
// shadow that applies decides; a mask rewrites the text and the next
// rules see the masked text.
func (r *Rules) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	text := c.Text
	var masked *compiled
	for i := range r.rules {
		rule := &r.rules[i]
		if !rule.covers(c) {
			continue
		}
		spans, ok := rule.match(text)
		if !ok {
			continue
		}
		switch rule.action {
		case plugins.ActionAllow:
			return finish(c, text, masked), nil
		case plugins.ActionRewrite:
			text, masked = rule.mask(text, spans), rule
		case plugins.ActionReject, plugins.ActionHold, plugins.ActionShadow:
			return plugins.Verdict{Action: rule.action, Reason: rule.reason}, nil
		}
	}
	return finish(c, text, masked), nil
}

// finish is allow, or a rewrite to text when a mask rule changed it.
func finish(c plugins.Comment, text string, masked *compiled) plugins.Verdict {
	if masked == nil || text == c.Text {
		return plugins.Allow()
	}
	c.Text = text
	return plugins.Rewrite(c, masked.reason)
}

// compiled is a rule ready to run.
type compiled struct {
	name     string
	action   plugins.Action
	reason   string
	exempt   []string
	rooms    []string
	keywords []keyword
	regex    *regexp.Regexp
	caps     *Caps
	repeat   int
	links    bool
	length   *Length
}

// covers reports whether the rule applies to c's room and author.
func (r *compiled) covers(c plugins.Comment) bool {
	if c.User.HasRole(r.exempt...) {
		return false
	}
	return len(r.rooms) == 0 || slices.ContainsFunc(r.rooms, func(p string) bool {
		ok, _ := path.Match(p, c.Room)
		return ok
	})
}
