package moderation

import (
	"testing"

	"github.com/danmaku/danmaku/app/store"
)

// TestTermWildcards: where a term may sit in a word, by its wildcards, and
// what masking leaves of the text.
func TestTermWildcards(t *testing.T) {
	for _, tc := range []struct {
		name, term, text string
		masked           string // "" when the term must not match
	}{
		{"whole word matches the word", "spoiler", "a Spoiler here", "a ******* here"},
		{"whole word skips longer words", "spoiler", "spoilers here", ""},
		{"whole word skips inside a word", "coin", "bitcoin now", ""},
		{"prefix matches the word's start", "spoil*", "no spoilers!", "no ********!"},
		{"prefix skips a word's end", "spoil*", "unspoil it", ""},
		{"suffix matches the word's end", "*coin", "buy bitcoin", "buy *******"},
		{"suffix skips a word's start", "*coin", "coinage", ""},
		{"suffix matches the bare word", "*coin", "coin", "****"},
		{"both ends match inside", "*spoil*", "unspoiled", "un*****ed"},
		{"full-width folds", "spoiler", "ＳＰＯＩＬＥＲ", "*******"},
		{"CJK matches inside a run", "剧透", "别剧透了", "别**了"},
		{"every occurrence is masked", "bad", "bad, BAD and bad.", "***, *** and ***."},
		{"punctuation splits words", "scam*", "scam-site", "****-site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, ok := compileTerm(store.BlockedTerm{Term: tc.term})
			if !ok {
				t.Fatalf("term %q does not compile", tc.term)
			}
			spans := ct.match(words(tc.text))
			if tc.masked == "" {
				if len(spans) > 0 {
					t.Fatalf("%q matched %q at %v, want no match", tc.term, tc.text, spans)
				}
				return
			}
			if got := mask(tc.text, spans); got != tc.masked {
				t.Errorf("%q on %q masks to %q, want %q", tc.term, tc.text, got, tc.masked)
			}
		})
	}
}

// TestTermRefused: terms that would match too much, or that are not one
// word, are refused with the reason.
func TestTermRefused(t *testing.T) {
	for _, tc := range []struct{ name, term string }{
		{"empty", "  "},
		{"wildcard in the middle", "sp*il"},
		{"only a wildcard", "*"},
		{"one letter and a wildcard", "a*"},
		{"two words", "free money"},
		{"punctuation", "bad!"},
		{"too long", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmno"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := parseTerm(tc.term); err == nil {
				t.Errorf("term %q accepted", tc.term)
			}
		})
	}
}

// TestNormalize: unique chat compares texts by their words, case and width folded.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Hello  world!", "hello world"},
		{"ＨＥＬＬＯ", "hello"},
		{"...gg...", "gg"},
	} {
		if normalize(tc.a) != normalize(tc.b) {
			t.Errorf("normalize(%q) = %q, normalize(%q) = %q: want equal", tc.a, normalize(tc.a), tc.b, normalize(tc.b))
		}
	}
	if normalize("gg") == normalize("g g") {
		t.Error("word boundaries must count: 'gg' and 'g g' differ")
	}
}
