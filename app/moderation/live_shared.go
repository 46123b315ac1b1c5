package moderation

import (
	"context"
	"slices"
	"time"
)

// Shared is what the live tools share with the other nodes of a cluster
// (cluster.Shared, over Redis): slow mode's wait per sender, as the
// ratelimit plugin's shared counters hold it, and each room's recent
// texts for unique chat. Any error means it could not answer, and this
// node's own memory decides.
type Shared interface {
	// Held returns how much longer key is held (0: it is not).
	Held(ctx context.Context, key string) (time.Duration, error)
	// Hold holds key for d.
	Hold(ctx context.Context, key string, d time.Duration) error
	// RecentTexts returns a room's last n noted texts, newest first.
	RecentTexts(ctx context.Context, room string, n int) ([]string, error)
	// NoteText adds text to a room's recent texts, keeping the last keep.
	NoteText(ctx context.Context, room, text string, keep int) error
}

// sharedTimeout bounds one answer of the shared state; past it, this
// node's own memory decides (as the ratelimit plugin's counters do).
const sharedTimeout = 200 * time.Millisecond

// slowKey is the shared key of a sender's slow-mode wait in a room.
func slowKey(room, user string) string { return "live-slow:" + room + "\x00" + user }

// sharedSlowWait asks the shared state how long the sender must still
// wait; ok is false when it could not answer.
func (l *live) sharedSlowWait(ctx context.Context, sc screening) (time.Duration, bool) {
	if l.shared == nil {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	left, err := l.shared.Held(ctx, slowKey(sc.room, sc.user))
	return left, l.sharedAnswered(err)
}

// sharedRepeats asks the shared state whether key is among the room's
// last n texts; ok is false when it could not answer.
func (l *live) sharedRepeats(ctx context.Context, room, key string, n int) (repeats, ok bool) {
	if l.shared == nil {
		return false, false
	}
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	texts, err := l.shared.RecentTexts(ctx, room, n)
	return slices.Contains(texts, key), l.sharedAnswered(err)
}

// noteShared records an accepted comment in the shared state, for the
// modes the room has on: the sender's slow-mode wait, its text.
func (l *live) noteShared(ctx context.Context, sc screening) {
	if l.shared == nil || (sc.modes.SlowSeconds == 0 && sc.modes.UniqueWindow == 0) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	if sc.modes.SlowSeconds > 0 && sc.user != "" && !sc.exempt {
		if !l.sharedAnswered(l.shared.Hold(ctx, slowKey(sc.room, sc.user), time.Duration(sc.modes.SlowSeconds)*time.Second)) {
			return
		}
	}
	if sc.modes.UniqueWindow > 0 {
		l.sharedAnswered(l.shared.NoteText(ctx, sc.room, sc.key, maxUniqueWindow))
	}
}

// sharedAnswered notes whether the shared state answered, logging once
// per outage that this node's own memory decides meanwhile.
func (l *live) sharedAnswered(err error) bool {
	if err != nil {
		if l.sharedDown.CompareAndSwap(false, true) {
			l.log.Warn("live tools: the cluster's shared state does not answer; slow mode and unique chat count this node's comments only until it does", "err", err)
		}
		return false
	}
	if l.sharedDown.CompareAndSwap(true, false) {
		l.log.Info("live tools: the cluster's shared state answers again")
	}
	return true
}
