package textnorm

import (
	"hash/maphash"
	"unicode/utf8"
)

var seed = maphash.MakeSeed()

// Key hashes the folded letters and digits of s with runs of one rune
// (digits aside: 10 is not 100) collapsed, so "Spam!!", "s p a m" and
// "SPAAAM" share a key, as do "哈哈哈" and "哈 哈哈哈哈". It also returns how
// many runes went into the key.
func Key(s string) (key uint64, n int) {
	var stack [256]byte // comments are short: no allocation
	buf := stack[:0]
	var last rune = -1
	for _, r := range s {
		f, ok := Fold(r)
		if !ok || f == last && (f < '0' || f > '9') {
			continue
		}
		last = f
		buf = utf8.AppendRune(buf, f)
		n++
	}
	return maphash.Bytes(seed, buf), n
}
