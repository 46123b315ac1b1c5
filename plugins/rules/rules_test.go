package rules_test

import (
	"testing"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/plugintest"
	"github.com/danmaku/danmaku/plugins/rules"
)

// one returns a config with a single rule: match (YAML flow mapping) and action.
func one(match, action string) string {
	return "rules: [{match: " + match + ", action: " + action + ", reason: nope}]"
}

// table is one plugin config and the comments to run through it, in order.
type table struct {
	name, config string
	cases        []plugintest.Case
}

func runTables(t *testing.T, tests []table) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plugintest.Run(t, plugintest.New(t, rules.New, tt.config, nil), tt.cases)
		})
	}
}

func TestRuleKinds(t *testing.T) {
	runTables(t, []table{
		{"keyword, whole word", one("{keywords: [scam]}", "reject"), []plugintest.Case{
			{Name: "the word", Text: "what a SCAM this is", Want: plugins.ActionReject, WantReason: "nope"},
			{Name: "full-width folds", Text: "ｓｃａｍ", Want: plugins.ActionReject},
			{Name: "inside a longer word", Text: "scammer here", Want: plugins.ActionAllow},
		}},
		{"keyword, star at the end", one("{keywords: [spoil*]}", "reject"), []plugintest.Case{
			{Name: "prefix", Text: "spoilers ahead", Want: plugins.ActionReject},
			{Name: "exact", Text: "no spoil", Want: plugins.ActionReject},
			{Name: "suffix only", Text: "unspoil", Want: plugins.ActionAllow},
		}},
		{"keyword, star at the start", one("{keywords: ['*coin']}", "reject"), []plugintest.Case{
			{Name: "suffix", Text: "buy dogecoin now", Want: plugins.ActionReject},
			{Name: "prefix only", Text: "coins", Want: plugins.ActionAllow},
		}},
		{"keyword, stars at both ends", one("{keywords: ['*bad*']}", "reject"), []plugintest.Case{
			{Name: "inside", Text: "notbadatall", Want: plugins.ActionReject},
			{Name: "inside CJK text", Text: "哈哈bad哈哈", Want: plugins.ActionReject},
			{Name: "absent", Text: "good", Want: plugins.ActionAllow},
		}},
		{"regex", one(`{regex: '(?i)free\s+nitro'}`, "hold"), []plugintest.Case{
			{Name: "matches", Text: "FREE   nitro here", Want: plugins.ActionHold, WantReason: "nope"},
			{Name: "does not", Text: "nitro free", Want: plugins.ActionAllow},
		}},
		{"caps ratio", one("{caps: {ratio: 0.7, min_letters: 6}}", "reject"), []plugintest.Case{
			{Name: "shouting", Text: "WHAT IS THIS", Want: plugins.ActionReject},
			{Name: "mostly lower", Text: "What is this", Want: plugins.ActionAllow},
			{Name: "too short to judge", Text: "OMG", Want: plugins.ActionAllow},
		}},
		{"repeated characters", one("{repeat: 5}", "reject"), []plugintest.Case{
			{Name: "a long run", Text: "哈哈哈哈哈哈", Want: plugins.ActionReject},
			{Name: "a short run", Text: "2333", Want: plugins.ActionAllow},
			{Name: "spaces do not count", Text: "a      b", Want: plugins.ActionAllow},
		}},
		{"links", one("{links: true}", "reject"), []plugintest.Case{
			{Name: "URL", Text: "see https://x.example/a", Want: plugins.ActionReject},
			{Name: "bare domain", Text: "go to spam.com now", Want: plugins.ActionReject},
			{Name: "www", Text: "www.thing.zzz", Want: plugins.ActionReject},
			{Name: "a timestamp is not a link", Text: "at 1:15:20 he falls", Want: plugins.ActionAllow},
			{Name: "a number is not a link", Text: "rated 10.5 out of 10", Want: plugins.ActionAllow},
			{Name: "a version is not a link", Text: "v1.2.3 is out", Want: plugins.ActionAllow},
		}},
		{"length", one("{length: {min: 2, max: 10}}", "reject"), []plugintest.Case{
			{Name: "too short", Text: "a", Want: plugins.ActionReject},
			{Name: "too long", Text: "this is far too long", Want: plugins.ActionReject},
			{Name: "fits", Text: "just fine", Want: plugins.ActionAllow},
		}},
		{"all conditions must hold", one("{keywords: [buy], links: true}", "shadow"), []plugintest.Case{
			{Name: "both", Text: "buy at spam.com", Want: plugins.ActionShadow},
			{Name: "keyword only", Text: "buy it", Want: plugins.ActionAllow},
			{Name: "link only", Text: "spam.com", Want: plugins.ActionAllow},
		}},
	})
}

func TestMask(t *testing.T) {
	runTables(t, []table{
		{"keywords", one("{keywords: [darn, 'heck*']}", "mask"), []plugintest.Case{
			{Name: "each match", Text: "darn it, heckin hell", Want: plugins.ActionRewrite, WantText: "**** it, ****** hell"},
			{Name: "nothing to mask", Text: "fine", Want: plugins.ActionAllow},
		}},
		{"regex", one(`{regex: '\d{3}-\d{4}'}`, "rewrite"), []plugintest.Case{
			{Name: "a number", Text: "call 555-1234", Want: plugins.ActionRewrite, WantText: "call ********"},
		}},
		{"links", one("{links: true}", "mask"), []plugintest.Case{
			{Name: "the link", Text: "go spam.com now", Want: plugins.ActionRewrite, WantText: "go ******** now"},
		}},
		{"caps", one("{caps: {ratio: 0.8}}", "mask"), []plugintest.Case{
			{Name: "lower-cased", Text: "STOP SHOUTING", Want: plugins.ActionRewrite, WantText: "stop shouting"},
		}},
		{"repeat", one("{repeat: 4}", "mask"), []plugintest.Case{
			{Name: "runs cut", Text: "哈哈哈哈哈哈!!!!!!", Want: plugins.ActionRewrite, WantText: "哈哈哈!!!"},
		}},
		{"length", one("{length: {max: 5}}", "mask"), []plugintest.Case{
			{Name: "cut", Text: "abcdefgh", Want: plugins.ActionRewrite, WantText: "abcde"},
		}},
	})
}

func TestOrderRoomsAndRoles(t *testing.T) {
	p := plugintest.New(t, rules.New, `
rules:
  - name: trusted words
    match: {keywords: [gg]}
    action: allow
  - name: mask swears
    match: {keywords: [darn]}
    action: mask
  - name: no links in live rooms
    match: {links: true}
    action: reject
    reason: no links during the event
    rooms: [live-*, final]
  - name: hold gg spam
    match: {keywords: [gg], repeat: 3}
    action: hold
  - name: everyone
    match: {keywords: [bonk]}
    action: reject
    exempt_roles: []
`, nil)
	in := func(room, text string, roles ...string) plugins.Comment {
		c := plugintest.Comment(text)
		c.Room, c.User.Roles = room, roles
		return c
	}
	plugintest.Run(t, p, []plugintest.Case{
		{Name: "allow stops the rules", In: in("room1", "gg ggg"), Want: plugins.ActionAllow},
		{Name: "a mask, then a later reject sees the masked text", In: in("live-7", "darn spam.com"), Want: plugins.ActionReject, WantReason: "no links during the event"},
		{Name: "mask alone rewrites", In: in("live-7", "darn it"), Want: plugins.ActionRewrite, WantText: "**** it"},
		{Name: "room pattern covers", In: in("live-1", "spam.com"), Want: plugins.ActionReject},
		{Name: "exact room covers", In: in("final", "spam.com"), Want: plugins.ActionReject},
		{Name: "other rooms are not covered", In: in("lobby", "spam.com"), Want: plugins.ActionAllow},
		{Name: "moderators are exempt by default", In: in("live-1", "spam.com", plugins.RoleModerator), Want: plugins.ActionAllow},
		{Name: "exempt_roles [] exempts nobody", In: in("room1", "bonk", plugins.RoleAdmin), Want: plugins.ActionReject},
	})
}

func TestConfigErrors(t *testing.T) {
	plugintest.ConfigErrors(t, rules.New, []plugintest.ConfigCase{
		{Name: "bad action", Config: one("{keywords: [a]}", "zap"), Want: `rules[0].action: must be allow, mask, reject, hold or shadow, got "zap"`},
		{Name: "no condition", Config: one("{}", "reject"), Want: "rules[0].match: needs at least one of"},
		{Name: "star in the middle", Config: one("{keywords: ['a*b']}", "reject"), Want: "rules[0].match.keywords[0]: \"a*b\": a star may only start or end"},
		{Name: "two words", Config: one("{keywords: ['two words']}", "reject"), Want: "rules[0].match.keywords[0]"},
		{Name: "bad regex", Config: one("{regex: '('}", "reject"), Want: "rules[0].match.regex: error parsing regexp"},
		{Name: "caps ratio", Config: one("{caps: {ratio: 2}}", "reject"), Want: "rules[0].match.caps.ratio: must be above 0"},
		{Name: "repeat 1", Config: one("{repeat: 1}", "reject"), Want: "rules[0].match.repeat: must be at least 2"},
		{Name: "empty length", Config: one("{length: {}}", "reject"), Want: "rules[0].match.length: set min, max"},
		{Name: "bad room pattern", Config: "rules: [{match: {links: true}, action: reject, rooms: ['live-[']}]", Want: "rules[0].rooms[0]"},
		{Name: "wrong type by field", Config: one("{repeat: many}", "reject"), Want: `rules[0].match.repeat: cannot use "many" as a whole number`},
		{Name: "unknown field", Config: one("{keyword: [a]}", "reject"), Want: "rules[0].match.keyword: unknown field"},
	})
}
