package hub

import (
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// outbox is what a room has to send and when. Publishing only appends here
// (the writer's delivery goroutine never fans out); a room's flush takes the
// lot and writes it, encoded once, on a goroutine of its own.
//
// The window is adaptive: a room that has sent nothing for a window sends at
// once (leading edge); one that is busier waits until a window has passed
// since its last frame, so everything that arrived meanwhile goes out as one
// frame. Like counts and presence are coalesced the same way, each at most
// once per countsEvery.
type outbox struct {
	entries  []entry // comments and opaque frames, in publish order
	likes    *Likes  // merged like counts not sent yet
	presence bool    // the viewer count changed since the last presence frame

	since      time.Time // when the oldest queued entry arrived
	lastSend   time.Time // last comments or opaque frame
	lastCounts time.Time // last likes or presence frame
	armed      bool      // a flush is scheduled (timer) or starting (goroutine)
	armedAt    time.Time // when it is scheduled for; zero: as soon as it can
	timer      *time.Timer
	closed     bool
}

// entry is a run of consecutive comments, or one opaque frame (for one
// user's members only when user is set).
type entry struct {
	comments []protocol.Comment
	data     []byte
	user     string
}

// batch is one flush's worth of the outbox.
type batch struct {
	entries  []entry
	likes    *Likes
	presence bool
}

// add queues what msg carries.
func (o *outbox) add(msg Message, now time.Time) {
	if len(o.entries) == 0 && (len(msg.Comments) > 0 || msg.Data != nil) {
		o.since = now
	}
	if msg.User != "" {
		// For one user's members: an entry of its own, never merged.
		o.entries = append(o.entries, entry{comments: append([]protocol.Comment(nil), msg.Comments...), data: msg.Data, user: msg.User})
		return
	}
	if len(msg.Comments) > 0 {
		if n := len(o.entries); n > 0 && o.entries[n-1].data == nil && o.entries[n-1].user == "" {
			o.entries[n-1].comments = append(o.entries[n-1].comments, msg.Comments...)
		} else {
			// A copy: the publisher's slice is not ours to append to.
			o.entries = append(o.entries, entry{comments: append([]protocol.Comment(nil), msg.Comments...)})
		}
	}
	if msg.Data != nil {
		o.entries = append(o.entries, entry{data: msg.Data})
	}
	if msg.Likes != nil {
		o.mergeLikes(msg.Likes)
	}
	if msg.Presence {
		o.presence = true
	}
}

func (o *outbox) mergeLikes(l *Likes) {
	if o.likes == nil {
		o.likes = &Likes{}
	}
	if l.Room != nil {
		n := *l.Room
		o.likes.Room = &n
	}
	for id, n := range l.Comments {
		if o.likes.Comments == nil {
			o.likes.Comments = make(map[int64]int64, len(l.Comments))
		}
		o.likes.Comments[id] = n
	}
}

func (o *outbox) countsPending() bool { return o.likes != nil || o.presence }

// due returns when the outbox should next flush, and false when it holds nothing.
func (o *outbox) due(window, countsEvery time.Duration) (time.Time, bool) {
	var at time.Time
	ok := false
	if len(o.entries) > 0 {
		at, ok = o.lastSend.Add(window), true
	}
	if o.countsPending() {
		if c := o.lastCounts.Add(countsEvery); !ok || c.Before(at) {
			at = c
		}
		ok = true
	}
	return at, ok
}

// take empties the outbox as of now: comments and frames always (sending
// them early only helps, and likes must never overtake the comments they
// count), counts once their interval has passed or when forced.
func (o *outbox) take(now time.Time, countsEvery time.Duration, force bool) batch {
	o.armed = false
	b := batch{entries: o.entries}
	o.entries = nil
	if len(b.entries) > 0 {
		o.lastSend = now
	}
	if o.countsPending() && (force || !now.Before(o.lastCounts.Add(countsEvery))) {
		b.likes, b.presence = o.likes, o.presence
		o.likes, o.presence = nil, false
		o.lastCounts = now
	}
	return b
}
