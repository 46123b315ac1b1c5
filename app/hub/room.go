package hub

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// room is one room's local viewers and their outbox. Fan-out walks only
// this room's slice, so a message costs O(viewers in the room), never
// O(all connections), and it runs on the room's own flush goroutine.
type room struct {
	id          string
	hub         *Hub
	unsubscribe func() // set before ready closes

	// ready closes once the broker subscription is made (or failed:
	// startErr); members join only after it.
	ready    chan struct{}
	startErr error

	// mu guards members and every member's Subscription state. A flush
	// holds it for its whole fan-out, so frames reach members in order and
	// never interleave with a Release.
	mu      sync.Mutex
	members []*Subscription
	viewers atomic.Int64 // len(members), for sizing the window without mu

	outMu sync.Mutex // guards out; never held while fanning out
	out   outbox
}

// frame is one outgoing frame. An opaque frame is data, the same for every
// member; a comments frame keeps its items, so that a member still
// catching up can drop the ones it already has, and is encoded once per
// wire version, when the first member speaking that version needs it.
// Frames are shared by pointer between the members (pending lists too), so
// the encoding is too; everything here is guarded by the room's mu.
type frame struct {
	data  []byte
	room  string
	items []protocol.Comment
	// exact frames go to their members as they are, never trimmed by seq
	// (a shadowed comment carries a seq that another comment takes too).
	exact bool
	enc   [protocol.Versions][]byte
}

// commentsFrame is a comments frame of room for items.
func commentsFrame(room string, items []protocol.Comment) *frame {
	return &frame{room: room, items: items}
}

// bytes returns the frame in wire version v, encoding it on first use.
func (f *frame) bytes(v protocol.Version) []byte {
	if f.items == nil {
		return f.data
	}
	if f.enc[v-1] == nil {
		f.enc[v-1] = protocol.EncodeCommentsAs(v, f.room, f.items)
	}
	return f.enc[v-1]
}

// deliver queues msg and makes sure a flush is on its way. It never fans
// out itself, so a publisher is not held up by a big room.
func (r *room) deliver(msg Message) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	r.out.add(msg, time.Now())
	r.armLocked()
}

// window is how long a busy room batches: one frame costs a write per
// viewer, so the window grows with the room, up to BatchMax.
func (r *room) window() time.Duration {
	o := r.hub.opts
	v := r.viewers.Load()
	if v >= int64(o.BatchMax/max(o.WindowPerViewer, 1)) {
		return o.BatchMax
	}
	return time.Duration(v) * o.WindowPerViewer
}

// armLocked schedules the next flush for when the outbox is due: at once
// when the window has already passed, else when it will have. A flush
// already scheduled for later (say, for a presence change) is brought
// forward. Guarded by outMu.
func (r *room) armLocked() {
	if r.out.closed {
		return
	}
	at, ok := r.out.due(r.window(), r.hub.opts.FlushEvery)
	if !ok || (r.out.armed && !at.Before(r.out.armedAt)) {
		return
	}
	r.out.armed, r.out.armedAt = true, at
	wait := time.Until(at)
	if wait <= 0 {
		go r.flush(false)
		return
	}
	r.startTimerLocked(wait)
}

// startTimerLocked runs a flush after wait. Guarded by outMu.
func (r *room) startTimerLocked(wait time.Duration) {
	if r.out.timer == nil {
		r.out.timer = time.AfterFunc(wait, func() { r.flush(false) })
		return
	}
	r.out.timer.Reset(wait)
}

// flush sends what the outbox holds (counts only once due, unless forced)
// and schedules the next flush if more is waiting. While many members are
// still writing earlier frames it holds off (up to HoldMax), so that what
// arrives meanwhile joins one bigger frame instead of queueing behind.
func (r *room) flush(force bool) {
	r.mu.Lock()
	r.outMu.Lock()
	now := time.Now()
	if at, due := r.out.due(r.window(), r.hub.opts.FlushEvery); !force && (!due || now.Before(at)) {
		// A stale wake-up (a flush started at once, then overtaken by a
		// forced one): what it was for has gone, so it only re-arms.
		r.out.armed = false
		r.armLocked()
		r.outMu.Unlock()
		r.mu.Unlock()
		return
	}
	if !force && r.holdLocked(now) {
		// The poll is the next flush; nothing arriving meanwhile arms another.
		r.out.armed, r.out.armedAt = true, time.Time{}
		r.outMu.Unlock()
		r.mu.Unlock()
		r.rearm(r.hub.opts.BacklogPoll)
		return
	}
	b := r.out.take(now, r.hub.opts.FlushEvery, force)
	r.outMu.Unlock()
	r.fanOut(b)
	r.mu.Unlock()

	r.outMu.Lock()
	r.armLocked()
	r.outMu.Unlock()
}

// holdQuorum is the fewest backlogged members that hold a room: the hold
// is for a server that is behind as a whole, so a few stalled sockets (one
// that stopped reading, in a room of three) must not slow the others.
const holdQuorum = 8

// holdLocked reports whether comments should wait for the members' earlier
// frames: at least holdQuorum members, and more than one in eight, still
// have a backlog, and the oldest queued comment has waited less than
// HoldMax. Guarded by mu and outMu.
func (r *room) holdLocked(now time.Time) bool {
	if len(r.out.entries) == 0 || !now.Before(r.out.since.Add(r.hub.opts.HoldMax)) {
		return false
	}
	behind := 0
	for _, s := range r.members {
		if s.backlog != nil && s.backlog.Backlog() > 0 {
			behind++
		}
	}
	return behind >= holdQuorum && behind > len(r.members)/8
}

// rearm schedules a flush after wait.
func (r *room) rearm(wait time.Duration) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	if !r.out.closed {
		r.startTimerLocked(wait)
	}
}

// close stops the room's flushes; whatever is still queued is dropped.
func (r *room) close() {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	r.out.closed = true
	if r.out.timer != nil {
		r.out.timer.Stop()
	}
}

// fanOut encodes each frame of b once per wire version its members speak
// and hands it to every member. Guarded by mu.
func (r *room) fanOut(b batch) {
	for _, e := range b.entries {
		if e.user != "" {
			f := &frame{data: e.data}
			if len(e.comments) > 0 {
				f = commentsFrame(r.id, e.comments)
				f.exact = true
			}
			r.sendToLocked(sameUser(e.user), f)
			continue
		}
		if e.data != nil {
			r.sendLocked(&frame{data: e.data})
			r.observe(FrameOther, 0)
			continue
		}
		for start := 0; start < len(e.comments); start += MaxItemsPerFrame {
			items := e.comments[start:min(start+MaxItemsPerFrame, len(e.comments))]
			r.sendLocked(commentsFrame(r.id, items))
			r.observe(FrameComments, len(items))
		}
	}
	if b.likes != nil {
		r.sendLocked(&frame{data: protocol.EncodeLikes(r.id, b.likes.Room, b.likes.Comments)})
		r.observe(FrameLikes, 0)
	}
	if b.presence {
		r.sendLocked(&frame{data: protocol.EncodePresence(r.id, r.hub.total(r.id, len(r.members)))})
		r.observe(FramePresence, 0)
	}
}

// sendLocked writes f to every member, or parks it for members that are
// still catching up. Guarded by mu.
func (r *room) sendLocked(f *frame) {
	for _, s := range r.members {
		if s.holding {
			s.pending = append(s.pending, f)
			continue
		}
		if data := s.unseen(f); data != nil {
			s.member.Send(data)
		}
	}
}

// add and remove change membership (guarded by mu) and note the new
// viewer count for the next presence frame.
func (r *room) add(s *Subscription) {
	s.index = len(r.members)
	r.members = append(r.members, s)
	r.viewers.Store(int64(len(r.members)))
	r.noteViewersLocked()
}

// remove takes s out in O(1) by moving the last member into its place.
func (r *room) remove(s *Subscription) bool {
	if s.index < 0 || s.index >= len(r.members) || r.members[s.index] != s {
		return false
	}
	last := len(r.members) - 1
	r.members[s.index] = r.members[last]
	r.members[s.index].index = s.index
	r.members[last] = nil
	r.members = r.members[:last]
	r.viewers.Store(int64(len(r.members)))
	s.index = -1
	s.pending = nil
	r.noteViewersLocked()
	return true
}

// noteViewersLocked tells the cluster, if any, of the new local count and
// queues a presence frame. Guarded by mu.
func (r *room) noteViewersLocked() {
	if c := r.hub.counter; c != nil {
		c.NoteViewers(r.id, len(r.members))
	}
	r.notePresence()
}

func (r *room) notePresence() {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	r.out.presence = true
	r.armLocked()
}

// release marks everything up to seq after as seen by s, sends what s
// missed while catching up, and switches s to live delivery.
func (r *room) release(s *Subscription, after int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !s.holding {
		return
	}
	s.seen = after
	// Merge the held comments into few frames: a long catch-up can hold
	// more frames than the socket's send buffer has room for.
	var items []protocol.Comment
	var others []*frame
	for _, f := range s.pending {
		if len(f.items) == 0 || f.exact {
			others = append(others, f)
			continue
		}
		for _, c := range f.items {
			if c.Seq > s.seen {
				items = append(items, c)
				s.seen = c.Seq
			}
		}
	}
	for start := 0; start < len(items); start += MaxItemsPerFrame {
		s.member.Send(protocol.EncodeCommentsAs(s.version, r.id, items[start:min(start+MaxItemsPerFrame, len(items))]))
	}
	for _, f := range others {
		s.member.Send(f.bytes(s.version))
	}
	s.pending = nil
	s.holding = false
}

// MaxItemsPerFrame bounds how many comments one frame carries.
const MaxItemsPerFrame = 500
