package rules

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/danmaku/danmaku/plugins"
)

// actions maps the action names a rule may use.
var actions = map[string]plugins.Action{
	"allow": plugins.ActionAllow, "mask": plugins.ActionRewrite, "rewrite": plugins.ActionRewrite,
	"reject": plugins.ActionReject, "hold": plugins.ActionHold, "shadow": plugins.ActionShadow,
}

// Configure decodes and checks the rules, each error naming its field
// (e.g. rules[2].match.regex).
func (r *Rules) Configure(raw plugins.RawConfig) error {
	var cfg Config
	if err := raw.Decode(&cfg); err != nil {
		return err
	}
	r.rules = make([]compiled, 0, len(cfg.Rules))
	for i, rule := range cfg.Rules {
		c, err := compile(fmt.Sprintf("rules[%d]", i), rule)
		if err != nil {
			return err
		}
		r.rules = append(r.rules, c)
	}
	return nil
}

func compile(where string, rule Rule) (compiled, error) {
	c := compiled{name: rule.Name, reason: rule.Reason, rooms: rule.Rooms, links: rule.Match.Links,
		caps: rule.Match.Caps, repeat: rule.Match.Repeat, length: rule.Match.Length,
		exempt: []string{plugins.RoleModerator, plugins.RoleAdmin}}
	if c.name == "" {
		c.name = where
	}
	if rule.ExemptRoles != nil {
		c.exempt = *rule.ExemptRoles
	}
	a, ok := actions[rule.Action]
	if !ok {
		return c, plugins.FieldErrorf(where+".action", "must be allow, mask, reject, hold or shadow, got %q", rule.Action)
	}
	c.action = a
	if c.reason == "" {
		c.reason = "this comment breaks the room's rules"
	}
	for j, p := range rule.Rooms {
		if _, err := path.Match(p, ""); err != nil || p == "" {
			return c, plugins.FieldErrorf(fmt.Sprintf("%s.rooms[%d]", where, j), "%q is not a room id or pattern", p)
		}
	}
	m := rule.Match
	for j, k := range m.Keywords {
		kw, err := parseKeyword(k)
		if err != nil {
			return c, plugins.FieldErrorf(fmt.Sprintf("%s.match.keywords[%d]", where, j), "%v", err)
		}
		c.keywords = append(c.keywords, kw)
	}
	if m.Regex != "" {
		re, err := regexp.Compile(m.Regex)
		if err != nil {
			return c, plugins.FieldErrorf(where+".match.regex", "%v", err)
		}
		c.regex = re
	}
	switch {
	case m.Caps != nil && (m.Caps.Ratio <= 0 || m.Caps.Ratio > 1):
		return c, plugins.FieldErrorf(where+".match.caps.ratio", "must be above 0 and at most 1, got %v", m.Caps.Ratio)
	case m.Caps != nil && m.Caps.MinLetters < 0:
		return c, plugins.FieldErrorf(where+".match.caps.min_letters", "must not be negative, got %d", m.Caps.MinLetters)
	case m.Repeat == 1 || m.Repeat < 0:
		return c, plugins.FieldErrorf(where+".match.repeat", "must be at least 2, got %d", m.Repeat)
	case m.Length != nil && (m.Length.Min < 0 || m.Length.Max < 0 || m.Length.Min == 0 && m.Length.Max == 0):
		return c, plugins.FieldErrorf(where+".match.length", "set min, max or both, as positive numbers")
	case len(c.keywords) == 0 && c.regex == nil && m.Caps == nil && m.Repeat == 0 && !m.Links && m.Length == nil:
		return c, plugins.FieldErrorf(where+".match", "needs at least one of keywords, regex, caps, repeat, links, length")
	}
	if c.caps != nil && c.caps.MinLetters == 0 {
		caps := *c.caps
		caps.MinLetters = 8
		c.caps = &caps
	}
	return c, nil
}

// parseKeyword reads a keyword with a star at its start, its end, or both.
func parseKeyword(k string) (keyword, error) {
	kw := keyword{suffix: strings.HasPrefix(k, "*"), prefix: strings.HasSuffix(k, "*") && len(k) > 1}
	body := strings.TrimSuffix(strings.TrimPrefix(k, "*"), "*")
	if strings.Contains(body, "*") {
		return kw, fmt.Errorf("%q: a star may only start or end a keyword", k)
	}
	ws := words(body)
	if len(ws) != 1 || ws[0].start != 0 || ws[0].end != len(body) {
		return kw, fmt.Errorf("%q: a keyword is one word of letters and digits", k)
	}
	kw.word = ws[0].folded
	return kw, nil
}
