// Package textnorm folds text the same way for every plugin that compares
// comments: case, full-width/half-width forms and look-alike letters
// collapse, so ＢＡＤ, Ｂad, 𝐛𝐚𝐝 and bad compare equal.
package textnorm

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Fold maps r to its comparison form and reports whether r is a letter or
// digit; other runes (spaces, punctuation, symbols, emoji, format
// characters) are separators that matching skips, so "b.a.d" reads "bad".
func Fold(r rune) (rune, bool) {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r, true
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A', true
		}
		return r, false
	case 0x4E00 <= r && r <= 0x9FFF: // CJK ideographs: nothing to fold, the common case
		return r, true
	}
	if f, ok := compat[r]; ok {
		r = f
	} else if f := width.LookupRune(r).Folded(); f != 0 {
		r = f
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return r, false
	}
	return unicode.ToLower(unicode.ToUpper(r)), true
}

// compat maps look-alike letters to their base letter: accented Latin
// (é→e), circled and parenthesised letters (ⓑ→b), and the mathematical
// alphanumerics used for "fancy text" (𝐛→b). Built from the NFKD
// decomposition, keeping only those whose base is a single letter or digit.
var compat = buildCompat()

func buildCompat() map[rune]rune {
	m := make(map[rune]rune)
	ranges := [][2]rune{
		{0x00C0, 0x024F},   // Latin-1 supplement and Latin extended A/B
		{0x0370, 0x03FF},   // Greek tonos (ί→ι)
		{0x1E00, 0x1EFF},   // Latin extended additional (Vietnamese)
		{0x1F00, 0x1FFF},   // Greek extended
		{0x2460, 0x24FF},   // enclosed alphanumerics
		{0xFF01, 0xFF5E},   // full-width ASCII (width would do; this is faster)
		{0x1D400, 0x1D7FF}, // mathematical alphanumerics
		{0x1F100, 0x1F1E5}, // enclosed alphanumeric supplement (not flags)
	}
	var buf [utf8.UTFMax]byte
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			n := utf8.EncodeRune(buf[:], r)
			d := norm.NFKD.Bytes(buf[:n])
			base, size := utf8.DecodeRune(d)
			rest := d[size:]
			for len(rest) > 0 { // drop combining marks after the base
				m2, s2 := utf8.DecodeRune(rest)
				if !unicode.Is(unicode.Mn, m2) {
					break
				}
				rest = rest[s2:]
			}
			if len(rest) == 0 && base != r && (unicode.IsLetter(base) || unicode.IsDigit(base)) {
				m[r] = base
			}
		}
	}
	return m
}

// Spaced reports whether r belongs to a script written with spaces
// between words (Latin, Greek, Cyrillic, digits...), where a word match
// inside a longer word is usually a false positive ("class" holds "ass").
// Han, kana, Hangul and South-East Asian scripts are matched anywhere.
func Spaced(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan)
}
