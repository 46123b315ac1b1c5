package links

import (
	"strings"
	"unicode/utf8"
)

// span is a byte range of the original text.
type span struct{ start, end int }

// link is one URL or domain found in a text.
type link struct {
	span
	host string // lower-case host name
}

// folded is the text as ASCII, one byte per rune (full-width forms and
// ideographic full stops folded, other non-ASCII runes as 0), with the
// byte offset of each rune in the original.
type folded struct {
	b   []byte
	off []int // len(b)+1 entries: the last is len(text)
}

func fold(s string) folded {
	f := folded{b: make([]byte, 0, len(s)), off: make([]int, 0, len(s)+1)}
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
		case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == '。' || r == '｡':
			r = '.'
		default:
			r = 0
		}
		f.b = append(f.b, byte(r))
		f.off = append(f.off, i)
	}
	f.off = append(f.off, len(s))
	return f
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHostChar(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// isURLChar is what may follow a host as port, path, query or fragment.
func isURLChar(c byte) bool { return c > ' ' && c < 0x7F }

// find returns the links in s, in order.
func find(s string, tlds map[string]bool) []link {
	f := fold(s)
	b := f.b
	var out []link
	for i := 0; i < len(b); {
		if !isHostChar(b[i]) || b[i] == '.' || i > 0 && (isHostChar(b[i-1]) || b[i-1] == '@') {
			i++
			continue
		}
		hostStart := i
		scheme := schemeLen(b[i:])
		if scheme > 0 {
			hostStart = i + scheme
		}
		j := hostStart
		for j < len(b) && isHostChar(b[j]) {
			j++
		}
		host := strings.ToLower(strings.TrimRight(string(b[hostStart:j]), ".-"))
		if scheme == 0 && !isDomain(host, tlds) {
			i = j
			continue
		}
		end := hostStart + len(host)
		if scheme > 0 || strings.HasPrefix(host, "www.") || end < len(b) && (b[end] == '/' || b[end] == ':') {
			for end < len(b) && isURLChar(b[end]) {
				end++
			}
		}
		out = append(out, link{span: span{f.off[i], f.off[end]}, host: host})
		i = end
	}
	return out
}

// schemeLen returns the length of a leading "http://" or "https://".
func schemeLen(b []byte) int {
	for _, p := range [...]string{"http://", "https://"} {
		if len(b) >= len(p) && strings.EqualFold(string(b[:len(p)]), p) {
			return len(p)
		}
	}
	return 0
}

// isDomain reports whether host is www.something, or labels ending in a known TLD.
func isDomain(host string, tlds map[string]bool) bool {
	if strings.HasPrefix(host, "www.") && len(host) > 4 {
		return true
	}
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 || !tlds[host[dot+1:]] {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	return true
}
