package moderation

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on blocked terms.
const (
	maxTerms     = 1000 // terms in force at once, every room together
	maxTermRunes = 64
	minTermRunes = 2 // letters or digits, wildcards aside: "*a" would match half the chat
)

// foldRune is r as terms and unique chat compare it: lower case, full-width
// folded, and whether it is part of a word (a letter or a digit).
func foldRune(r rune) (rune, bool) {
	if r < utf8.RuneSelf { // ASCII, most of most comments: no table lookups
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r, true
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A', true
		}
		return r, false
	}
	if f := width.LookupRune(r).Folded(); f != 0 {
		r = f
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return r, false
	}
	return unicode.ToLower(r), true
}

// unspaced reports whether r is of a script written without spaces, where
// a term matches inside longer runs of letters.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

// normalize is text as unique chat compares it: folded words, one space apart.
func normalize(text string) string {
	var b strings.Builder
	gap := false
	for _, r := range text {
		f, ok := foldRune(r)
		if !ok {
			gap = b.Len() > 0
			continue
		}
		if gap {
			b.WriteByte(' ')
			gap = false
		}
		b.WriteRune(f)
	}
	return b.String()
}

// termKind is where a term may sit in a word.
type termKind int

const (
	termWord     termKind = iota // the whole word ("spoiler")
	termPrefix                   // the start of a word ("spoil*")
	termSuffix                   // the end of a word ("*coin")
	termAnywhere                 // anywhere in a word ("*spoil*", or a term of a script without spaces)
)

// compiledTerm is a blocked term ready to match.
type compiledTerm struct {
	store.BlockedTerm
	kind   termKind
	folded []rune
}

// parseTerm checks a term as typed and returns its stored form (trimmed)
// and how it matches.
func parseTerm(raw string) (string, termKind, []rune, error) {
	t := strings.TrimSpace(raw)
	bad := func(format string, args ...any) (string, termKind, []rune, error) {
		return t, 0, nil, errs.New(errs.Invalid, "term "+format, args...)
	}
	if n := utf8.RuneCountInString(t); n == 0 || n > maxTermRunes {
		return bad("must be 1 to %d characters", maxTermRunes)
	}
	core, pre := strings.CutPrefix(t, "*")
	core, suf := strings.CutSuffix(core, "*")
	if strings.Contains(core, "*") {
		return bad("%q may have a wildcard * only at its start or its end", t)
	}
	var folded []rune
	for _, r := range core {
		f, ok := foldRune(r)
		if !ok {
			return bad("%q must be one word of letters and digits (and * at an end), not %q", t, r)
		}
		folded = append(folded, f)
	}
	if len(folded) < minTermRunes {
		return bad("%q needs at least %d letters or digits besides the wildcards", t, minTermRunes)
	}
	kind := termWord
	switch {
	case (pre && suf) || slices.ContainsFunc(folded, unspaced):
		kind = termAnywhere
	case pre:
		kind = termSuffix
	case suf:
		kind = termPrefix
	}
	return t, kind, folded, nil
}

// compileTerm readies a stored term; one that no longer parses (it cannot,
// short of a hand-edited row) matches nothing.
func compileTerm(t store.BlockedTerm) (compiledTerm, bool) {
	_, kind, folded, err := parseTerm(t.Term)
	return compiledTerm{BlockedTerm: t, kind: kind, folded: folded}, err == nil
}

// word is one run of letters and digits of a text: folded, with the byte
// offsets of each rune in the original.
type word struct {
	runes []rune
	at    []int // byte offset of each rune; at[len] is the end
}

// words splits text into its words.
func words(text string) []word {
	var out []word
	var cur word
	flush := func(end int) {
		if len(cur.runes) > 0 {
			cur.at = append(cur.at, end)
			out = append(out, cur)
			cur = word{}
		}
	}
	for i, r := range text {
		f, ok := foldRune(r)
		if !ok {
			flush(i)
			continue
		}
		cur.runes = append(cur.runes, f)
		cur.at = append(cur.at, i)
	}
	flush(len(text))
	return out
}

// span is a byte range of a text.
type span struct{ from, to int }

// match returns where t occurs in ws (the byte ranges to mask), if anywhere.
func (t compiledTerm) match(ws []word) []span {
	var out []span
	for _, w := range ws {
		out = t.matchWord(w, out)
	}
	return out
}

// matchWord appends where t occurs in w to out.
func (t compiledTerm) matchWord(w word, out []span) []span {
	n, whole := len(t.folded), span{w.at[0], w.at[len(w.runes)]}
	switch t.kind {
	case termWord:
		if slices.Equal(w.runes, t.folded) {
			out = append(out, whole)
		}
	case termPrefix:
		if len(w.runes) >= n && slices.Equal(w.runes[:n], t.folded) {
			out = append(out, whole)
		}
	case termSuffix:
		if len(w.runes) >= n && slices.Equal(w.runes[len(w.runes)-n:], t.folded) {
			out = append(out, whole)
		}
	case termAnywhere:
		for i := 0; i+n <= len(w.runes); i++ {
			if slices.Equal(w.runes[i:i+n], t.folded) {
				out = append(out, span{w.at[i], w.at[i+n]})
				i += n - 1
			}
		}
	}
	return out
}

// termIndex finds the terms that may match a word without trying them
// all: a whole-word or prefix term only where the word starts with its
// first rune, a suffix term only where the word ends with its last.
type termIndex struct {
	byFirst  map[rune][]int // indexes into the terms
	byLast   map[rune][]int
	anywhere []int
}

func indexTerms(terms []compiledTerm) termIndex {
	idx := termIndex{byFirst: map[rune][]int{}, byLast: map[rune][]int{}}
	for i, t := range terms {
		switch t.kind {
		case termWord, termPrefix:
			idx.byFirst[t.folded[0]] = append(idx.byFirst[t.folded[0]], i)
		case termSuffix:
			last := t.folded[len(t.folded)-1]
			idx.byLast[last] = append(idx.byLast[last], i)
		default:
			idx.anywhere = append(idx.anywhere, i)
		}
	}
	return idx
}

// termHit is where term i of the index occurs.
type termHit struct {
	term int
	at   span
}

// hits returns where the indexed terms occur in ws, by term then position.
func (idx termIndex) hits(terms []compiledTerm, ws []word) []termHit {
	var out []termHit
	var spans []span
	try := func(i int, w word) {
		spans = terms[i].matchWord(w, spans[:0])
		for _, sp := range spans {
			out = append(out, termHit{i, sp})
		}
	}
	for _, w := range ws {
		for _, i := range idx.byFirst[w.runes[0]] {
			try(i, w)
		}
		for _, i := range idx.byLast[w.runes[len(w.runes)-1]] {
			try(i, w)
		}
		for _, i := range idx.anywhere {
			try(i, w)
		}
	}
	slices.SortStableFunc(out, func(a, b termHit) int { return a.term - b.term })
	return out
}

// mask replaces every rune inside spans with '*'.
func mask(text string, spans []span) string {
	var b strings.Builder
	for i, r := range text {
		in := false
		for _, s := range spans {
			if i >= s.from && i < s.to {
				in = true
				break
			}
		}
		if in {
			b.WriteByte('*')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
