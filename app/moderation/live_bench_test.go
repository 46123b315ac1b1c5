package moderation

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// BenchmarkLiveScreen is what the live tools add to every comment: with
// nothing set, with slow mode and unique chat on, and with 1000 blocked
// terms in force (the most there may be). The plugin chain's cost is
// plugins/all's BenchmarkDefaultChain.
func BenchmarkLiveScreen(b *testing.B) {
	var many []compiledTerm
	for i := range maxTerms {
		ct, _ := compileTerm(store.BlockedTerm{ID: int64(i), Term: fmt.Sprintf("%c%cterm%d*", 'a'+i%26, 'a'+i/26%26, i), Action: store.TermMask})
		many = append(many, ct)
	}
	for _, bc := range []struct {
		name  string
		modes store.RoomModes
		terms []compiledTerm
	}{
		{"nothing set", store.RoomModes{}, nil},
		{"slow mode and unique chat", store.RoomModes{Room: "r", SlowSeconds: 1, UniqueWindow: 50}, nil},
		{"1000 terms", store.RoomModes{}, many},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := newLive(&sharedLive{modes: map[string]store.RoomModes{}}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			now := time.Unix(1_800_000_000, 0)
			l.now = func() time.Time { return now }
			l.state = &liveState{at: now, modes: map[string]store.RoomModes{"r": bc.modes}, terms: bc.terms, index: indexTerms(bc.terms)}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				from := Sender{Identity: auth.Identity{ID: fmt.Sprint("u", i%1000)}}
				d := protocol.Draft{Text: fmt.Sprintf("a comment of ordinary length, number %d, 草草草", i)}
				now = now.Add(time.Millisecond) // each user sends once a second: slow mode lets them
				sc, err := l.screen(ctx, "r", from, &d)
				if err == nil {
					l.accepted(ctx, sc)
				}
			}
		})
	}
}

// BenchmarkTermMatching compares finding 1000 terms in a comment through
// the index with trying every term on every word.
func BenchmarkTermMatching(b *testing.B) {
	var terms []compiledTerm
	for i := range maxTerms {
		ct, _ := compileTerm(store.BlockedTerm{ID: int64(i), Term: fmt.Sprintf("%c%cterm%d*", 'a'+i%26, 'a'+i/26%26, i), Action: store.TermMask})
		terms = append(terms, ct)
	}
	idx := indexTerms(terms)
	ws := words("a comment of ordinary length, with a few words in it, and 草草草 at the end, aaterm0 too")
	b.Run("indexed", func(b *testing.B) {
		for b.Loop() {
			if len(idx.hits(terms, ws)) != 1 {
				b.Fatal("want one hit")
			}
		}
	})
	b.Run("every term", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, t := range terms {
				n += len(t.match(ws))
			}
			if n != 1 {
				b.Fatal("want one hit")
			}
		}
	})
}
