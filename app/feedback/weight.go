package feedback

import (
	"time"
	"unicode"

	"github.com/danmaku/danmaku/app/store"
)

// The quality weight (屏蔽等级, "shield level", on the viewer's side) is a
// number from 0 (worst) to 10 the server gives every comment. Viewers pick
// a level in their settings and comments weighing less are not shown. It
// starts at NeutralWeight (5) and moves with plain signals, each a small
// step, so that no single one decides:
//
//	text      (characters not counting spaces) none or one -2; two or three
//	          -1; 8 to 40 +1; repetitive (four or more, and one character is
//	          60% or more of them, or they repeat a short pattern, like
//	          哈哈哈哈, 23333 or hahaha) -2
//	likes     1 or more +1; 3 or more +2; 10 or more +3
//	reports   -2 for each viewer's report not yet reviewed, down to -6
//	sender    once 5 of their comments were judged (shown or removed):
//	          removed share 50% or more -3, 20% or more -2, 5% or more -1;
//	          none removed out of 20 or more shown +1
//	          known for less than an hour -1; for 30 days or more +1
//
// and is clamped to 0..10. A comment is weighed when it is stored and again
// whenever its likes or reports change; the sender's record is read each
// time. Imported comments have no sender here: only their text weighs.

// Steps of the weight; see the package's table above.
const (
	judgedEnough   = 5                   // judged comments before the record counts
	trustedShown   = 20                  // shown comments for the clean-record bonus
	newSender      = time.Hour           // younger senders lose a point
	settledSender  = 30 * 24 * time.Hour // older ones gain one
	maxReportSteps = 3                   // reports take at most 3 × 2 points
)

// Weight computes a comment's quality weight from its signals (a
// store.Weigher).
func Weight(s store.QualitySignals) int {
	w := store.NeutralWeight + textPoints(s.Text) + likePoints(s.Likes) - 2*int(min(max(s.Reports, 0), maxReportSteps))
	if s.Sender {
		w += recordPoints(s.Accepted, s.Removed) + agePoints(s.Age)
	}
	return min(10, max(0, w))
}

// textPoints weighs the text's characters, not counting spaces.
func textPoints(text string) int {
	var runes []rune
	for _, r := range text {
		if !unicode.IsSpace(r) {
			runes = append(runes, r)
		}
	}
	n := len(runes)
	p := 0
	switch {
	case n <= 1:
		p = -2
	case n <= 3:
		p = -1
	case n >= 8 && n <= 40:
		p = 1
	}
	if repetitive(runes) {
		p -= 2
	}
	return p
}

// repetitive reports whether text of four or more characters is mostly
// one character, or a short pattern said again and again.
func repetitive(text []rune) bool {
	n := len(text)
	if n < 4 {
		return false
	}
	counts := map[rune]int{}
	for _, r := range text {
		counts[r]++
		if counts[r]*10 >= n*6 {
			return true
		}
	}
	for p := 1; p <= n/2; p++ {
		if periodic(text, p) {
			return true
		}
	}
	return false
}

// periodic reports whether text repeats its first p characters throughout.
func periodic(text []rune, p int) bool {
	for i := p; i < len(text); i++ {
		if text[i] != text[i%p] {
			return false
		}
	}
	return true
}

func likePoints(likes int64) int {
	switch {
	case likes >= 10:
		return 3
	case likes >= 3:
		return 2
	case likes >= 1:
		return 1
	}
	return 0
}

func recordPoints(accepted, removed int64) int {
	judged := accepted + removed
	switch {
	case judged < judgedEnough:
		return 0
	case removed*2 >= judged:
		return -3
	case removed*5 >= judged:
		return -2
	case removed*20 >= judged:
		return -1
	case removed == 0 && accepted >= trustedShown:
		return 1
	}
	return 0
}

func agePoints(age time.Duration) int {
	switch {
	case age < newSender:
		return -1
	case age >= settledSender:
		return 1
	}
	return 0
}
