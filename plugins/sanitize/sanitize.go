// Package sanitize cleans comment text before other plugins look at it:
// it strips invisible and direction-changing characters, collapses
// whitespace, trims "Zalgo" stacks of combining marks, and rejects empty,
// symbol-only, too short and too long comments.
package sanitize

import (
	"context"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "sanitize"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	MinLength int `yaml:"min_length"` // runes after cleaning; default 1
	MaxLength int `yaml:"max_length"` // runes after cleaning; default 100
	// MaxCombining caps combining marks per base character (default 2), so
	// stacked diacritics cannot paint over other comments; 0 removes them all.
	MaxCombining int `yaml:"max_combining"`
	// RejectSymbolsOnly rejects text without a letter or digit, such as
	// "!!!???" (default true).
	RejectSymbolsOnly bool `yaml:"reject_symbols_only"`
	// EmojiAreContent counts emoji as content, so "😂😂" is not "symbols
	// only" (default true).
	EmojiAreContent bool `yaml:"emoji_are_content"`
}

// Sanitizer is the plugin.
type Sanitizer struct{ cfg Config }

var (
	_ plugins.Moderator   = (*Sanitizer)(nil)
	_ plugins.Configurer  = (*Sanitizer)(nil)
	_ plugins.NonBlocking = (*Sanitizer)(nil)
)

// New returns a Sanitizer with the default config.
func New() plugins.Moderator {
	return &Sanitizer{cfg: Config{MinLength: 1, MaxLength: 100, MaxCombining: 2, RejectSymbolsOnly: true, EmojiAreContent: true}}
}

// Configure decodes and validates the config block.
func (s *Sanitizer) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&s.cfg); err != nil {
		return err
	}
	switch c := s.cfg; {
	case c.MinLength < 1:
		return plugins.FieldErrorf("min_length", "must be at least 1, got %d", c.MinLength)
	case c.MaxLength < c.MinLength:
		return plugins.FieldErrorf("max_length", "must be at least min_length (%d), got %d", c.MinLength, c.MaxLength)
	case c.MaxCombining < 0:
		return plugins.FieldErrorf("max_combining", "must not be negative, got %d", c.MaxCombining)
	}
	return nil
}

// NonBlocking reports that Moderate only computes.
func (s *Sanitizer) NonBlocking() bool { return true }

// Moderate cleans the text, then checks what is left.
func (s *Sanitizer) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	text, n, content := s.clean(c.Text)
	switch {
	case n == 0:
		return plugins.Reject("empty comment"), nil
	case n < s.cfg.MinLength:
		return plugins.Reject(fmt.Sprintf("too short: at least %d characters", s.cfg.MinLength)), nil
	case n > s.cfg.MaxLength:
		return plugins.Reject(fmt.Sprintf("too long: %d characters, at most %d", n, s.cfg.MaxLength)), nil
	case s.cfg.RejectSymbolsOnly && !content:
		return plugins.Reject("a comment needs at least one letter or digit"), nil
	case text == c.Text:
		return plugins.Allow(), nil
	}
	c.Text = text
	return plugins.Rewrite(c, "cleaned invisible characters and whitespace"), nil
}

// clean returns the cleaned text, its length in runes and whether it has content.
func (s *Sanitizer) clean(in string) (out string, n int, content bool) {
	var stack [512]byte // no allocation unless the text changes
	buf := stack[:0]
	space := false  // a space is pending: written before the next kept rune
	marks := 0      // combining marks since the last base character
	var prev rune   // last kept rune
	tagSeq := false // inside an emoji tag sequence (subdivision flags)
	for i, r := range in {
		switch {
		case r > ' ' && r < 0x7F || 0x4E00 <= r && r <= 0x9FFF: // printable ASCII, CJK: the common case
			marks = 0
			tagSeq = false
			if r >= 0x4E00 || 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9' {
				content = true
			}
		case r == utf8.RuneError:
			continue // invalid UTF-8
		case unicode.IsSpace(r) || invisibleBlank(r):
			space = n > 0
			continue
		case unicode.Is(unicode.Cc, r):
			continue
		case unicode.Is(unicode.Cf, r):
			if !keepFormat(r, prev, in[i+utf8.RuneLen(r):], tagSeq) {
				continue
			}
			tagSeq = isTag(r) && r != 0xE007F
		case unicode.In(r, unicode.Mn, unicode.Me):
			if marks >= s.cfg.MaxCombining {
				continue
			}
			marks++
		default:
			marks = 0
			tagSeq = r == 0x1F3F4 // black flag starts a tag sequence
			if unicode.IsLetter(r) || unicode.IsDigit(r) || s.cfg.EmojiAreContent && isEmoji(r) {
				content = true
			}
		}
		if space {
			buf = append(buf, ' ')
			n++
			space = false
		}
		buf = utf8.AppendRune(buf, r)
		prev = r
		n++
	}
	if string(buf) == in {
		return in, n, content
	}
	return string(buf), n, content
}

// keepFormat keeps the format characters emoji need: a zero-width joiner
// between two emoji (👨‍👩‍👧) and tag characters after a black flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
// Every other format character (zero-width spaces, bidi overrides and
// isolates, BOM, soft hyphen, word joiner...) is dropped.
func keepFormat(r, prev rune, rest string, tagSeq bool) bool {
	switch {
	case r == 0x200D:
		next, _ := utf8.DecodeRuneInString(rest)
		return (isEmoji(prev) || prev == 0xFE0F) && isEmoji(next)
	case isTag(r):
		return tagSeq
	}
	return false
}

func isTag(r rune) bool { return 0xE0020 <= r && r <= 0xE007F }

// invisibleBlank reports letters that render as nothing (Hangul fillers,
// the braille blank), used to fake empty comments; they count as spaces.
func invisibleBlank(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800:
		return true
	}
	return false
}

// isEmoji approximates the emoji blocks (emoticons, pictographs,
// dingbats, misc symbols, arrows and the supplemental planes).
func isEmoji(r rune) bool {
	return 0x1F000 <= r && r <= 0x1FAFF || 0x2600 <= r && r <= 0x27BF || 0x2B00 <= r && r <= 0x2BFF
}
