package moderation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// LiveTTL is how long a node trusts what it read of the live tools (room
// modes, blocked terms, timeouts and hidden users) before reading them
// again. A change made on this node applies at once (the cache is dropped);
// on the other nodes of a cluster, within LiveTTL.
const LiveTTL = 2 * time.Second

// liveState is what the live tools say, as read from the store at one time.
type liveState struct {
	at      time.Time
	modes   map[string]store.RoomModes
	terms   []compiledTerm
	index   termIndex
	actions map[string][]store.UserAction // timeouts and hides in force, by user
}

// live enforces the room modes, user actions and blocked terms on every
// comment, ahead of (and independent of) the plugin chain.
type live struct {
	store store.Live
	log   *slog.Logger
	now   func() time.Time

	// shared, on a node of a cluster with Redis, is slow mode's and
	// unique chat's memory for every node; this node's own (last, recent)
	// decides while it does not answer.
	shared     Shared
	sharedDown atomic.Bool

	loadMu sync.Mutex // one reload at a time
	mu     sync.Mutex
	state  *liveState

	// What this node saw, for slow mode and unique chat.
	seenMu sync.Mutex
	last   map[roomUser]time.Time
	recent map[string][]string // room → the normalised texts of its last comments, oldest first
}

type roomUser struct{ room, user string }

func newLive(st store.Live, shared Shared, log *slog.Logger) *live {
	return &live{store: st, shared: shared, log: log, now: time.Now, last: map[roomUser]time.Time{}, recent: map[string][]string{}}
}

// invalidate makes the next comment read the store again (after a change).
func (l *live) invalidate() {
	l.mu.Lock()
	l.state = nil
	l.mu.Unlock()
}

// current returns the live state, read again when older than LiveTTL. When
// the read fails the last state stays in force (logged): a database hiccup
// must not lift a timeout, nor stop the chat.
func (l *live) current(ctx context.Context) *liveState {
	now := l.now()
	l.mu.Lock()
	st := l.state
	l.mu.Unlock()
	if st != nil && now.Sub(st.at) < LiveTTL {
		return st
	}
	l.loadMu.Lock()
	defer l.loadMu.Unlock()
	l.mu.Lock()
	st = l.state
	l.mu.Unlock()
	if st != nil && now.Sub(st.at) < LiveTTL {
		return st // another sender read it meanwhile
	}
	next, err := l.load(ctx, now)
	if err != nil {
		l.log.Error("reading the live moderation state failed, the last one stays", "err", err)
		if st == nil {
			return &liveState{at: now}
		}
		return st
	}
	l.mu.Lock()
	l.state = next
	l.mu.Unlock()
	return next
}

func (l *live) load(ctx context.Context, now time.Time) (*liveState, error) {
	modes, err := l.store.AllRoomModes(ctx)
	if err != nil {
		return nil, err
	}
	terms, err := l.store.ActiveTerms(ctx, now)
	if err != nil {
		return nil, err
	}
	actions, err := l.store.ActiveUserActions(ctx, now)
	if err != nil {
		return nil, err
	}
	st := &liveState{at: now, modes: map[string]store.RoomModes{}, actions: map[string][]store.UserAction{}}
	for _, m := range modes {
		st.modes[m.Room] = m
	}
	for _, t := range terms {
		if ct, ok := compileTerm(t); ok {
			st.terms = append(st.terms, ct)
		}
	}
	st.index = indexTerms(st.terms)
	for _, a := range actions {
		st.actions[a.UserID] = append(st.actions[a.UserID], a)
	}
	return st, nil
}

// modesOf returns a room's modes as this node knows them.
func (l *live) modesOf(ctx context.Context, room string) store.RoomModes {
	m, ok := l.current(ctx).modes[room]
	if !ok {
		m.Room = room
	}
	return m
}

// screening is what the live tools decided about one comment before the
// plugin chain ran; apply folds it into the chain's verdict.
type screening struct {
	room, user string
	key        string // the normalised text, for unique chat
	modes      store.RoomModes
	exempt     bool   // a moderator: no room mode applies
	shadow     bool   // the user is hidden
	hold       string // why a term holds it
	notes      []string
}

// actionOf returns the first of a user's actions of kind in force in room.
func actionOf(list []store.UserAction, kind store.UserActionKind, room string, now time.Time) (store.UserAction, bool) {
	for _, a := range list {
		if a.Kind == kind && (a.Room == "" || a.Room == room) && a.Active(now) {
			return a, true
		}
	}
	return store.UserAction{}, false
}

// screen checks a comment against the room's modes, the sender's timeouts
// and the blocked terms, masking terms in d. A refusal is a coded error
// whose message tells the sender why.
func (l *live) screen(ctx context.Context, room string, from Sender, d *protocol.Draft) (screening, error) {
	now := l.now()
	st := l.current(ctx)
	sc := screening{room: room, user: from.ID, modes: st.modes[room], exempt: !from.Guest && from.Has(auth.RoleModerator)}
	acts := st.actions[from.ID]
	if a, ok := actionOf(acts, store.ActTimeout, room, now); ok && from.ID != "" {
		msg := fmt.Sprintf("A moderator timed you out until %s", a.Until.Time().Format(time.RFC3339))
		if a.Reason != "" {
			msg += ": " + a.Reason
		}
		return sc, errs.New(errs.TimedOut, "%s", msg)
	}
	_, sc.shadow = actionOf(acts, store.ActHide, room, now)
	if !sc.exempt {
		if err := l.checkModes(ctx, sc, from, d, now); err != nil {
			return sc, err
		}
	}
	sc.key = normalize(d.Text)
	return sc, l.checkTerms(st, &sc, d, now)
}

// checkModes applies signed-in only, slow mode and unique chat: through
// the cluster's shared state when there is one and it answers, else by
// what this node saw.
func (l *live) checkModes(ctx context.Context, sc screening, from Sender, d *protocol.Draft, now time.Time) error {
	m := sc.modes
	if m.SignedInOnly && (from.Guest || from.ID == "") {
		return errs.New(errs.Unauthorized, "Signed-in only: sign in to comment in this room")
	}
	if m.SlowSeconds > 0 && sc.user != "" {
		wait, ok := l.sharedSlowWait(ctx, sc)
		if !ok {
			wait = l.localSlowWait(sc, m, now)
		}
		if wait > 0 {
			return errs.New(errs.SlowMode, "Slow mode: one comment every %d s; wait %d s", m.SlowSeconds, int((wait+time.Second-1)/time.Second))
		}
	}
	if m.UniqueWindow > 0 {
		key := normalize(d.Text)
		repeats, ok := l.sharedRepeats(ctx, sc.room, key, m.UniqueWindow)
		if !ok {
			repeats = l.localRepeats(sc.room, key, m.UniqueWindow)
		}
		if repeats {
			return errs.New(errs.Repeated, "Unique chat: this repeats one of the last %d comments", m.UniqueWindow)
		}
	}
	return nil
}

// localSlowWait is how long the sender must still wait by this node's comments.
func (l *live) localSlowWait(sc screening, m store.RoomModes, now time.Time) time.Duration {
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	at, ok := l.last[roomUser{sc.room, sc.user}]
	if !ok {
		return 0
	}
	return at.Add(time.Duration(m.SlowSeconds) * time.Second).Sub(now)
}

// localRepeats reports whether key is among the room's last n texts on this node.
func (l *live) localRepeats(room, key string, n int) bool {
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	recent := l.recent[room]
	return slices.Contains(recent[max(0, len(recent)-n):], key)
}

// checkTerms applies the blocked terms of the room and of every room:
// reject refuses, hold marks the comment to hold, mask rewrites d.
func (l *live) checkTerms(st *liveState, sc *screening, d *protocol.Draft, now time.Time) error {
	if len(st.terms) == 0 {
		return nil
	}
	var spans []span
	last := -1
	for _, h := range st.index.hits(st.terms, words(d.Text)) {
		t := st.terms[h.term]
		if (t.Room != "" && t.Room != sc.room) || !t.Active(now) {
			continue
		}
		if h.term != last {
			last = h.term
			sc.notes = append(sc.notes, fmt.Sprintf("term #%d %s", t.ID, t.Action))
		}
		switch t.Action {
		case store.TermReject:
			return errs.New(errs.Rejected, "This comment has a blocked term")
		case store.TermHold:
			sc.hold = "This comment has a term moderators review first"
		default:
			spans = append(spans, h.at)
		}
	}
	if len(spans) > 0 {
		d.Text = mask(d.Text, spans)
	}
	return nil
}

// apply folds the screening into the chain's verdict: a hidden user's
// comment is shadowed; emergency mode and a held term hold it; the chat
// delay holds it for DelaySeconds.
func (sc screening) apply(v Verdict) Verdict {
	note := strings.Join(sc.notes, "; ")
	join := func(a, b string) string {
		switch {
		case a == "":
			return b
		case b == "":
			return a
		}
		return a + "; " + b
	}
	v.Note = join(v.Note, note)
	if v.Status == store.Shadowed || v.Status == store.Held {
		return v
	}
	switch {
	case sc.shadow:
		v.Status, v.Note = store.Shadowed, join("hidden by a moderator", v.Note)
	case sc.hold != "":
		v.Status, v.Reason = store.Held, sc.hold
	case sc.modes.Emergency && !sc.exempt:
		v.Status, v.Reason, v.Note = store.Held, "Emergency mode: every comment waits for a moderator", join("emergency mode", v.Note)
	case sc.modes.DelaySeconds > 0 && !sc.exempt:
		v.Status, v.Delay = store.Held, time.Duration(sc.modes.DelaySeconds)*time.Second
		v.Reason = fmt.Sprintf("Chat delay: your comment shows in %d s", sc.modes.DelaySeconds)
		v.Note = join(fmt.Sprintf("%s%d s", delayNote, sc.modes.DelaySeconds), v.Note)
	}
	return v
}

// delayNote starts the note of a comment the chat delay holds.
const delayNote = "chat delay: "

// accepted records a comment the chain let in, for slow mode and unique
// chat: in this node's memory (the fallback) and in the shared state.
func (l *live) accepted(ctx context.Context, sc screening) {
	l.noteShared(ctx, sc)
	now := l.now()
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	if sc.user != "" {
		l.last[roomUser{sc.room, sc.user}] = now
		if len(l.last) > 100_000 { // forget senders whose slow-mode wait is surely over
			for k, at := range l.last {
				if now.Sub(at) > maxSlow {
					delete(l.last, k)
				}
			}
		}
	}
	r := append(l.recent[sc.room], sc.key)
	if len(r) > maxUniqueWindow {
		r = r[len(r)-maxUniqueWindow:]
	}
	l.recent[sc.room] = r
}
