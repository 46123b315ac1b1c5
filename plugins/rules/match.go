package rules

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/plugins/internal/textnorm"
)

// span is a byte range of the text that a condition matched.
type span struct{ start, end int }

// keyword is one keyword with its wildcards.
type keyword struct {
	word           string // folded, without the stars
	prefix, suffix bool   // a star at the end (spoil*), at the start (*coin)
}

// matches reports whether the folded word w matches k.
func (k keyword) matches(w string) bool {
	switch {
	case k.prefix && k.suffix:
		return strings.Contains(w, k.word)
	case k.prefix:
		return strings.HasPrefix(w, k.word)
	case k.suffix:
		return strings.HasSuffix(w, k.word)
	}
	return w == k.word
}

// match reports whether every condition of the rule holds for text, and
// the spans to mask (keywords, regex, links).
func (r *compiled) match(text string) ([]span, bool) {
	var spans []span
	if len(r.keywords) > 0 {
		found := false
		for _, w := range words(text) {
			if slices.ContainsFunc(r.keywords, func(k keyword) bool { return k.matches(w.folded) }) {
				spans, found = append(spans, w.span), true
			}
		}
		if !found {
			return nil, false
		}
	}
	if r.regex != nil {
		locs := r.regex.FindAllStringIndex(text, -1)
		if len(locs) == 0 {
			return nil, false
		}
		for _, l := range locs {
			spans = append(spans, span{l[0], l[1]})
		}
	}
	if r.links {
		found := findLinks(text)
		if len(found) == 0 {
			return nil, false
		}
		spans = append(spans, found...)
	}
	if r.caps != nil && !shouting(text, *r.caps) {
		return nil, false
	}
	if r.repeat > 0 && longestRun(text) < r.repeat {
		return nil, false
	}
	if r.length != nil {
		n := utf8.RuneCountInString(text)
		if !(r.length.Min > 0 && n < r.length.Min || r.length.Max > 0 && n > r.length.Max) {
			return nil, false
		}
	}
	return spans, true
}

// mask rewrites text for a mask rule: the matched spans become stars,
// shouting is lower-cased, long runs are cut to repeat-1, and an
// over-long comment is cut to the maximum length.
func (r *compiled) mask(text string, spans []span) string {
	if len(spans) > 0 {
		text = stars(text, spans)
	}
	if r.caps != nil {
		text = strings.ToLower(text)
	}
	if r.repeat > 0 {
		text = cutRuns(text, r.repeat-1)
	}
	if r.length != nil && r.length.Max > 0 && utf8.RuneCountInString(text) > r.length.Max {
		text = string([]rune(text)[:r.length.Max])
	}
	return text
}

// word is a run of letters and digits, folded, with its place in the text.
type word struct {
	span
	folded string
}

// words splits text at everything that is not a letter or a digit.
func words(text string) []word {
	var out []word
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, word{span{start, end}, b.String()})
			b.Reset()
			start = -1
		}
	}
	for i, r := range text {
		f, ok := textnorm.Fold(r)
		if !ok {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
		b.WriteRune(f)
	}
	flush(len(text))
	return out
}

// stars replaces each span's runes with '*' (overlaps merged).
func stars(text string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	at := 0
	for _, s := range spans {
		if s.end <= at {
			continue
		}
		s.start = max(s.start, at)
		b.WriteString(text[at:s.start])
		b.WriteString(strings.Repeat("*", utf8.RuneCountInString(text[s.start:s.end])))
		at = s.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// shouting reports whether text has enough cased letters, enough of them capitals.
func shouting(text string, c Caps) bool {
	upper, cased := 0, 0
	for _, r := range text {
		switch {
		case unicode.IsUpper(r):
			upper++
			cased++
		case unicode.IsLower(r):
			cased++
		}
	}
	return cased >= c.MinLetters && float64(upper) >= c.Ratio*float64(cased)
}

// runs calls fn with each rune of text and the length of the run of that
// rune it ends so far (spaces never run: each counts 1).
func runs(text string, fn func(r rune, n int)) {
	n := 0
	var prev rune = -1
	for _, r := range text {
		if r == prev && !unicode.IsSpace(r) {
			n++
		} else {
			n = 1
		}
		prev = r
		fn(r, n)
	}
}

// longestRun is the length of the longest run of one repeated rune
// (spaces do not count).
func longestRun(text string) int {
	best := 0
	runs(text, func(_ rune, n int) { best = max(best, n) })
	return best
}

// cutRuns shortens every run of one rune to at most keep runes.
func cutRuns(text string, keep int) string {
	var b strings.Builder
	runs(text, func(r rune, n int) {
		if n <= keep {
			b.WriteRune(r)
		}
	})
	return b.String()
}

// linkRE finds URLs and bare domains. A domain needs a top-level domain
// of letters from the list below, so timestamps (1:15:20), numbers (10.5),
// version strings (v1.2.3) and sentences missing a space (ok.so) are not
// links.
var linkRE = regexp.MustCompile(`(?i)\bhttps?://[^\s]+|\bwww\.[^\s]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:` + tlds + `)\b(?:[/:?#][^\s]*)?`)

// tlds are the top-level domains a bare domain must end in: the common
// generic ones and those spam uses most.
const tlds = `com|net|org|info|biz|io|gg|tv|me|co|app|dev|xyz|top|link|site|online|shop|club|live|ly|cc|ru|cn|uk|de|jp|fr|kr|br|eu`

// findLinks returns the links in text.
func findLinks(text string) []span {
	var out []span
	for _, l := range linkRE.FindAllStringIndex(text, -1) {
		out = append(out, span{l[0], l[1]})
	}
	return out
}
