package wordfilter

import (
	"cmp"
	"slices"
	"unicode/utf8"

	"github.com/danmaku/danmaku/plugins/internal/textnorm"
)

// maxWordLen bounds a word's folded length, so match positions fit a fixed ring.
const maxWordLen = 64

// matcher is an Aho–Corasick automaton over folded runes: one pass over a
// comment finds every listed word, however many words there are.
// Transitions are stored flat (CSR): node i's edges are labels/targets
// [first[i], first[i+1]), sorted by label; the root also has a dense
// table for the runes that start a word, since most text runes hit it.
type matcher struct {
	first    []int32
	labels   []rune
	targets  []int32
	fail     []int32
	out      []int32 // length of the word ending at the node, 0 for none
	dict     []int32 // next node on the fail chain with out > 0, or -1
	rootNext []int32 // root transitions by rune below len(rootNext); 0 = none
}

// build compiles folded words (each 1..maxWordLen runes) into a matcher.
func build(words [][]rune) *matcher {
	// A trie in a map first; keys are node<<32 | rune.
	trie := map[uint64]int32{}
	out := []int32{0}
	for _, w := range words {
		n := int32(0)
		for _, r := range w {
			k := uint64(n)<<32 | uint64(uint32(r))
			next, ok := trie[k]
			if !ok {
				next = int32(len(out))
				out = append(out, 0)
				trie[k] = next
			}
			n = next
		}
		out[n] = int32(len(w))
	}
	m := &matcher{out: out, first: make([]int32, len(out)+1)}
	type edge struct {
		from  int32
		label rune
		to    int32
	}
	edges := make([]edge, 0, len(trie))
	for k, to := range trie {
		edges = append(edges, edge{int32(k >> 32), rune(uint32(k)), to})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.label, b.label))
	})
	m.labels = make([]rune, len(edges))
	m.targets = make([]int32, len(edges))
	maxRoot := rune(-1)
	for i, e := range edges {
		m.labels[i], m.targets[i] = e.label, e.to
		m.first[e.from+1]++
		if e.from == 0 && e.label < 0x10000 {
			maxRoot = max(maxRoot, e.label)
		}
	}
	for i := 1; i < len(m.first); i++ {
		m.first[i] += m.first[i-1]
	}
	m.rootNext = make([]int32, maxRoot+1)
	for i := m.first[0]; i < m.first[1]; i++ {
		if m.labels[i] <= maxRoot {
			m.rootNext[m.labels[i]] = m.targets[i]
		}
	}
	m.links()
	return m
}

// links computes fail and dictionary links breadth-first.
func (m *matcher) links() {
	m.fail = make([]int32, len(m.out))
	m.dict = make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	for i := m.first[0]; i < m.first[1]; i++ {
		queue = append(queue, m.targets[i]) // depth 1: fail to the root
		m.dict[m.targets[i]] = -1
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for i := m.first[n]; i < m.first[n+1]; i++ {
			child, r := m.targets[i], m.labels[i]
			f := m.fail[n]
			for {
				if next := m.edge(f, r); next > 0 {
					f = next
					break
				}
				if f == 0 {
					break
				}
				f = m.fail[f]
			}
			m.fail[child] = f
			if m.out[f] > 0 {
				m.dict[child] = f
			} else {
				m.dict[child] = m.dict[f]
			}
			queue = append(queue, child)
		}
	}
	m.dict[0] = -1
}

// edge returns node n's transition on r, or 0 (the root, never a child) for none.
func (m *matcher) edge(n int32, r rune) int32 {
	if n == 0 && r < rune(len(m.rootNext)) && r >= 0 {
		return m.rootNext[r]
	}
	lo, hi := m.first[n], m.first[n+1]
	if hi-lo <= 8 {
		for i := lo; i < hi; i++ {
			if m.labels[i] == r {
				return m.targets[i]
			}
		}
		return 0
	}
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if m.labels[mid] < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < m.first[n+1] && m.labels[lo] == r {
		return m.targets[lo]
	}
	return 0
}

// step moves from state n on folded rune r.
func (m *matcher) step(n int32, r rune) int32 {
	for {
		if next := m.edge(n, r); next > 0 {
			return next
		}
		if n == 0 {
			return 0
		}
		n = m.fail[n]
	}
}

// scan folds text rune by rune and appends to marks the byte offsets of
// the runes of every word occurrence that passes the boundary rule;
// with first it stops at the first occurrence. Separators (spaces,
// punctuation, symbols) are skipped, so "b a d" and "b.a.d" match "bad".
func (m *matcher) scan(text string, wholeWords, first bool, marks []int32) []int32 {
	var ring [maxWordLen]int32
	state, pos := int32(0), 0
	for off, r := range text {
		f, ok := textnorm.Fold(r)
		if !ok {
			continue
		}
		state = m.step(state, f)
		ring[pos%maxWordLen] = int32(off)
		pos++
		for n := state; n > 0; n = m.dict[n] {
			l := int(m.out[n])
			if l == 0 {
				continue
			}
			startPos := pos - l
			if wholeWords && !bounded(text, ring[startPos%maxWordLen], ring[(pos-1)%maxWordLen]) {
				continue
			}
			for i := startPos; i < pos; i++ {
				marks = append(marks, ring[i%maxWordLen])
			}
			if first {
				return marks
			}
		}
	}
	return marks
}

// bounded reports whether a match (byte offsets of its first and last
// runes) stands as a whole word: a match that
// starts or ends with a letter of a spaced script (Latin, Cyrillic...) must
// not touch another such letter, so "class" does not match "ass" but
// "傻逼了" matches "傻逼" and "b a d" matches "bad".
func bounded(text string, start, last int32) bool {
	first, _ := utf8.DecodeRuneInString(text[start:])
	if before, _ := utf8.DecodeLastRuneInString(text[:start]); textnorm.Spaced(first) && textnorm.Spaced(before) {
		return false
	}
	lastRune, size := utf8.DecodeRuneInString(text[last:])
	after, _ := utf8.DecodeRuneInString(text[int(last)+size:])
	return !(textnorm.Spaced(lastRune) && textnorm.Spaced(after))
}
