package feedback_test

import (
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/feedback"
	"github.com/danmaku/danmaku/app/store"
)

// TestWeight walks the formula's table (weight.go) one signal at a time,
// then a few together, and checks the bounds.
func TestWeight(t *testing.T) {
	day := 24 * time.Hour
	// settled is a sender with a plain record: known for a week, nothing judged.
	settled := func(s store.QualitySignals) store.QualitySignals {
		s.Sender, s.Age = true, 7*day
		return s
	}
	for _, tc := range []struct {
		name string
		sig  store.QualitySignals
		want int
	}{
		{"plain text, no sender record", store.QualitySignals{Text: "nice one!"}, 6},
		{"empty", store.QualitySignals{Text: ""}, 3},
		{"one character", store.QualitySignals{Text: "草"}, 3},
		{"one character and spaces", store.QualitySignals{Text: " 草  "}, 3},
		{"three characters", store.QualitySignals{Text: "lol"}, 4},
		{"four to seven characters", store.QualitySignals{Text: "so good"}, 5},
		{"eight to forty characters", store.QualitySignals{Text: "the counter is in sync!"}, 6},
		{"more than forty characters", store.QualitySignals{Text: "this one goes on and on and on for quite a while, really"}, 5},
		{"one character repeated", store.QualitySignals{Text: "哈哈哈哈哈哈"}, 3},
		{"mostly one character", store.QualitySignals{Text: "23333333"}, 4},
		{"a short pattern repeated", store.QualitySignals{Text: "hahahahaha"}, 4},
		{"four repeated characters", store.QualitySignals{Text: "6666"}, 3},
		{"varied short text is not repetitive", store.QualitySignals{Text: "abab c"}, 5},
		{"one like", store.QualitySignals{Text: "so good", Likes: 1}, 6},
		{"three likes", store.QualitySignals{Text: "so good", Likes: 3}, 7},
		{"ten likes", store.QualitySignals{Text: "so good", Likes: 10}, 8},
		{"one report", store.QualitySignals{Text: "so good", Reports: 1}, 3},
		{"two reports", store.QualitySignals{Text: "so good", Reports: 2}, 1},
		{"reports stop at three", store.QualitySignals{Text: "so good", Reports: 9}, 0},
		{"negative reports count as none", store.QualitySignals{Text: "so good", Reports: -4}, 5},
		{"a new sender", store.QualitySignals{Text: "so good", Sender: true, Age: time.Minute}, 4},
		{"a sender of an hour to thirty days", settled(store.QualitySignals{Text: "so good"}), 5},
		{"a sender of thirty days", store.QualitySignals{Text: "so good", Sender: true, Age: 30 * day}, 6},
		{"too little judged to count", settled(store.QualitySignals{Text: "so good", Accepted: 2, Removed: 2}), 5},
		{"half removed", settled(store.QualitySignals{Text: "so good", Accepted: 5, Removed: 5}), 2},
		{"a fifth removed", settled(store.QualitySignals{Text: "so good", Accepted: 8, Removed: 2}), 3},
		{"a twentieth removed", settled(store.QualitySignals{Text: "so good", Accepted: 19, Removed: 1}), 4},
		{"a little removed", settled(store.QualitySignals{Text: "so good", Accepted: 100, Removed: 1}), 5},
		{"a clean record of twenty", settled(store.QualitySignals{Text: "so good", Accepted: 20}), 6},
		{"a clean record of nineteen", settled(store.QualitySignals{Text: "so good", Accepted: 19}), 5},
		{"everything good at once stops at ten", store.QualitySignals{Text: "the counter is in sync!", Likes: 50, Sender: true, Age: 90 * day, Accepted: 500}, 10},
		{"everything bad at once stops at zero", store.QualitySignals{Text: "666666", Reports: 3, Sender: true, Age: time.Second, Accepted: 1, Removed: 9}, 0},
		{"likes make up for a report", store.QualitySignals{Text: "so good", Likes: 3, Reports: 1}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := feedback.Weight(tc.sig); got != tc.want {
				t.Errorf("Weight(%+v) = %d, want %d", tc.sig, got, tc.want)
			}
		})
	}
}
