package cluster

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
)

// fillPage is how many comments one gap-filling read asks the store for.
const fillPage = hub.MaxItemsPerFrame

// deliverLocked hands msg to every local subscriber of the room. They only
// queue, and rs.mu keeps one subscriber's deliveries from overlapping.
// Guarded by rs.mu.
func (rs *roomState) deliverLocked(msg hub.Message) {
	for _, deliver := range rs.subs {
		deliver(msg)
	}
}

// handle puts e in its place in the room's stream: delivered now when
// everything before it has been, dropped when it has been already, else
// held until the gap before it closes or is filled from the store.
func (rs *roomState) handle(e *envelope) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return
	}
	rs.held = append(rs.held, e)
	rs.drainLocked()
}

// drainLocked delivers every held envelope whose turn has come, in
// arrival order, until none is left that can go; then arms the gap timer
// if something still waits. Guarded by rs.mu.
func (rs *roomState) drainLocked() {
	if rs.next == 0 {
		return // the starting point is not read yet
	}
	for progress := true; progress; {
		progress = false
		kept := rs.held[:0]
		for _, e := range rs.held {
			switch {
			case e.ordered() && e.Last < rs.next:
				progress = true // a duplicate: already delivered
			case e.ordered() && e.First <= rs.next:
				rs.deliverRangeLocked(e)
				progress = true
			case !e.ordered() && e.After < rs.next:
				rs.deliverLocked(e.message())
				progress = true
			default:
				kept = append(kept, e)
			}
		}
		clear(rs.held[len(kept):])
		rs.held = kept
	}
	if len(rs.held) > 0 || rs.target >= rs.next {
		rs.armGapLocked()
	}
}

// deliverRangeLocked delivers the part of a comments batch (or a skip)
// past what was delivered and moves the stream on. Guarded by rs.mu.
func (rs *roomState) deliverRangeLocked(e *envelope) {
	if !e.Skip {
		items := e.Comments
		for len(items) > 0 && items[0].Seq < rs.next {
			items = items[1:]
		}
		if len(items) > 0 {
			m := e.message()
			m.Comments = items
			rs.deliverLocked(m)
		}
	}
	rs.next = e.Last + 1
}

// wantLocked is the last seq the room must have delivered before what it
// holds can go, or that the store says exists. Guarded by rs.mu.
func (rs *roomState) wantLocked() int64 {
	want := rs.target
	for _, e := range rs.held {
		need := e.After
		if e.ordered() {
			need = e.First - 1
		}
		want = max(want, need)
	}
	return want
}

// armGapLocked makes sure a fill runs after GapWait unless the gap closes
// first. Guarded by rs.mu.
func (rs *roomState) armGapLocked() {
	if rs.timerOn || rs.filling || rs.closed {
		return
	}
	rs.timerOn = true
	if rs.timer == nil {
		rs.timer = time.AfterFunc(rs.b.opts.GapWait, rs.fill)
		return
	}
	rs.timer.Reset(rs.b.opts.GapWait)
}

// fill reads the comments the room is missing from the store and
// delivers them, then whatever waited for them.
func (rs *roomState) fill() {
	rs.mu.Lock()
	rs.timerOn = false
	want := rs.wantLocked()
	if rs.closed || rs.next == 0 || want < rs.next {
		rs.mu.Unlock()
		return
	}
	rs.filling = true
	from := rs.next - 1
	rs.mu.Unlock()

	items, err := rs.read(from, want)

	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.filling = false
	if rs.closed {
		return
	}
	if err != nil {
		rs.b.log.Warn("cluster: filling a gap from the store failed; retrying", "room", rs.id, "after", from, "err", err)
		rs.armGapLocked()
		return
	}
	rs.b.filled.Add(int64(len(items)))
	for len(items) > 0 && items[0].Seq < rs.next {
		items = items[1:]
	}
	if len(items) > 0 {
		rs.deliverLocked(hub.Message{Room: rs.id, Comments: items})
	}
	// Seqs up to want that the store does not return are deleted or
	// imported: the stream steps over them.
	rs.next = max(rs.next, want+1)
	rs.drainLocked()
}

// read returns the room's visible comments with after < seq <= upTo.
func (rs *roomState) read(after, upTo int64) ([]protocol.Comment, error) {
	ctx, cancel := context.WithTimeout(context.Background(), rs.b.opts.StoreTimeout)
	defer cancel()
	var out []protocol.Comment
	for after < upTo {
		page, err := rs.b.opts.Store.CommentsAfter(ctx, rs.id, after, int(min(upTo-after, fillPage)))
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if c.Seq <= upTo {
				out = append(out, c)
			}
		}
		if len(page) < int(min(upTo-after, fillPage)) || page[len(page)-1].Seq >= upTo {
			break
		}
		after = page[len(page)-1].Seq
	}
	return out, nil
}

// check reads the room's last seq from the store: a tail whose publish
// was lost (its node died after the commit, Redis was down) becomes a gap
// that a fill closes.
func (rs *roomState) check(ctx context.Context) {
	last, err := rs.b.opts.Store.LastSeq(ctx, rs.id)
	if err != nil {
		rs.b.log.Debug("cluster: reading a room's last seq failed", "room", rs.id, "err", err)
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed || rs.next == 0 || last < rs.next {
		return
	}
	rs.target = max(rs.target, last)
	rs.armGapLocked()
}
