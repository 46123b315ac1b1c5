package rooms

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Replay bounds around a live room's comments.
const (
	// replayLead is how much quiet before the first comment a replay keeps.
	replayLead = 3 * time.Second
	// replayTail keeps the replay running until the last comment has crossed the screen.
	replayTail = 8 * time.Second
)

// ReplayBounds is where a live room's replay starts (a moment before the
// first comment, but not before the room existed) and how long it runs,
// given when the room was created and when its comments were stored.
func ReplayBounds(created protocol.Timestamp, span store.CommentSpan) (protocol.Timestamp, time.Duration) {
	if span.Empty {
		return created, 0
	}
	origin := max(created, span.First-protocol.Timestamp(replayLead.Milliseconds()))
	origin = min(origin, span.First)
	return origin, span.Last.Time().Sub(origin.Time()) + replayTail
}

// Spans tells when a room's comments start and end.
type Spans interface {
	CommentSpan(ctx context.Context, room string) (store.CommentSpan, error)
}

// Replays finds where live rooms' replays start.
type Replays struct{ Spans Spans }

// ReplayOrigin returns where r's replay starts (see ReplayBounds).
func (p Replays) ReplayOrigin(ctx context.Context, r store.Room) (protocol.Timestamp, error) {
	span, err := p.Spans.CommentSpan(ctx, r.ID)
	if err != nil {
		return 0, err
	}
	origin, _ := ReplayBounds(r.CreatedAt, span)
	return origin, nil
}
