// Package wordfilter masks or rejects comments containing listed words.
//
// Matching folds case, full-width/half-width forms and look-alike letters
// (ＢＡＤ, Bad, 𝐛𝐚𝐝 and bád all match "bad") and skips spaces, punctuation
// and symbols between letters, so "b a d", "b.a.d" and "b😀a😀d" match too.
// With whole_words (the default), a match that starts or ends with a
// letter of a script written with spaces (Latin, Cyrillic, Greek...) must
// not continue into a neighbouring letter: "class" does not match "ass".
// Chinese, Japanese, Korean and Thai text is matched anywhere.
// Look-alike digits ("b4d") are not folded.
//
// Words are compiled into an Aho–Corasick automaton, so a comment costs
// time linear in its length however many words are listed.
package wordfilter

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/danmaku/danmaku/plugins"
	"github.com/danmaku/danmaku/plugins/internal/textnorm"
)

// Name is the name the plugin registers under.
const Name = "wordfilter"

func init() { plugins.Register(Name, New) }

// Config is the plugin's config block.
type Config struct {
	Words      []string `yaml:"words"`       // words and phrases to catch
	WordsFile  string   `yaml:"words_file"`  // one word per line; # comments; relative to the config file
	Patterns   []string `yaml:"patterns"`    // Go regular expressions on the original text, e.g. "(?i)v\\s*x\\s*\\d+"
	Action     string   `yaml:"action"`      // mask (default) or reject
	WholeWords bool     `yaml:"whole_words"` // default true; see the package doc
}

// Filter is the plugin.
type Filter struct {
	cfg      Config
	m        *matcher // nil when no words
	patterns []*regexp.Regexp
}

var (
	_ plugins.Moderator   = (*Filter)(nil)
	_ plugins.Configurer  = (*Filter)(nil)
	_ plugins.NonBlocking = (*Filter)(nil)
)

// New returns a Filter with no words that masks.
func New() plugins.Moderator { return &Filter{cfg: Config{Action: "mask", WholeWords: true}} }

// Configure decodes the config block, loads the words file and compiles
// the words and patterns.
func (f *Filter) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&f.cfg); err != nil {
		return err
	}
	if f.cfg.Action != "mask" && f.cfg.Action != "reject" {
		return plugins.FieldErrorf("action", "must be mask or reject, got %q", f.cfg.Action)
	}
	var folded [][]rune
	for i, w := range f.cfg.Words {
		fw, err := foldWord(w)
		if err != nil {
			return plugins.FieldErrorf(fmt.Sprintf("words[%d]", i), "%q %w", w, err)
		}
		folded = append(folded, fw)
	}
	if f.cfg.WordsFile != "" {
		fromFile, err := readWords(raw.Path(f.cfg.WordsFile))
		if err != nil {
			return plugins.FieldErrorf("words_file", "%w", err)
		}
		folded = append(folded, fromFile...)
	}
	if len(folded) > 0 {
		f.m = build(folded)
	}
	for i, p := range f.cfg.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return plugins.FieldErrorf(fmt.Sprintf("patterns[%d]", i), "%w", err)
		}
		f.patterns = append(f.patterns, re)
	}
	return nil
}

// foldWord folds w as comments are folded, dropping separators.
func foldWord(w string) ([]rune, error) {
	var out []rune
	for _, r := range w {
		if fr, ok := textnorm.Fold(r); ok {
			out = append(out, fr)
		}
	}
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("has no letters or digits")
	case len(out) > maxWordLen:
		return nil, fmt.Errorf("is longer than %d letters", maxWordLen)
	}
	return out, nil
}

// readWords loads one word per line, skipping blank lines and # comments.
func readWords(path string) ([][]rune, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var words [][]rune
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		w := strings.TrimSpace(sc.Text())
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		fw, err := foldWord(w)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q %w", path, line, w, err)
		}
		words = append(words, fw)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return words, nil
}

// NonBlocking reports that Moderate only computes.
func (f *Filter) NonBlocking() bool { return true }

// Moderate masks every match with '*' in the original text, or rejects.
func (f *Filter) Moderate(_ context.Context, c plugins.Comment) (plugins.Verdict, error) {
	reject := f.cfg.Action == "reject"
	var marks []int32 // byte offsets of runes to mask
	if f.m != nil {
		marks = f.m.scan(c.Text, f.cfg.WholeWords, reject, nil)
	}
	for _, re := range f.patterns {
		for _, loc := range re.FindAllStringIndex(c.Text, -1) {
			for off := range c.Text[loc[0]:loc[1]] {
				marks = append(marks, int32(loc[0]+off))
			}
		}
	}
	switch {
	case len(marks) == 0:
		return plugins.Allow(), nil
	case reject:
		return plugins.Reject("this comment contains a blocked word"), nil
	}
	c.Text = mask(c.Text, marks)
	return plugins.Rewrite(c, "masked blocked words"), nil
}

// mask replaces the runes starting at the given byte offsets with '*'.
func mask(s string, marks []int32) string {
	slices.Sort(marks)
	var sb strings.Builder
	sb.Grow(len(s))
	for off, r := range s {
		if _, hit := slices.BinarySearch(marks, int32(off)); hit {
			sb.WriteByte('*')
		} else {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
