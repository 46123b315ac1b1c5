package loadtest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// writeWait bounds one comment write; a server that stalls longer has failed the run anyway.
const writeWait = 10 * time.Second

// maxUnacked is how many comments a sender keeps in flight per socket: the
// server answers more than that (app/socket's maxCommentsInFlight) with
// rate_limited, so a sender that runs ahead waits for acks instead.
const maxUnacked = 8

// send posts sp.budget comments on s at sp's pace from start, catching up
// without sleeping when behind, and gives up on the rest a pace-step past end.
func (r *run) send(ctx context.Context, s *socket, sp senderPlan, start, end time.Time) {
	defer r.senders.Done()
	rm := &r.rooms[sp.room]
	name := r.plan.rooms[sp.room].name
	buf := make([]byte, 0, 256)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	next := start.Add(sp.phase)
	for range sp.budget {
		if wait := time.Until(next); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		now := time.Now()
		if now.After(end.Add(sp.interval)) {
			return
		}
		if s.unacked != nil && !r.claimSlot(ctx, s, end.Add(sp.interval)) {
			return
		}
		seq := int(rm.next.Add(1) - 1)
		if r.cfg.Mode == ModeRaw {
			buf = appendRawComment(buf[:0], r.id, sp.room, seq, now.UnixNano())
		} else {
			buf = appendJSONComment(buf[:0], r.id, name, sp.room, seq, now.UnixNano(), now.Sub(start))
		}
		_ = s.conn.SetWriteDeadline(now.Add(writeWait))
		if err := s.conn.WriteMessage(websocket.TextMessage, buf); err != nil {
			r.count(r.sendErrors, fmt.Sprintf("socket %d: %v", s.idx, err))
			return
		}
		r.sent.Add(1)
		if r.cfg.Mode == ModeRaw { // the raw relay has no acks: a written frame is accepted
			rm.accept(seq)
		}
		next = next.Add(sp.interval)
	}
}

// claimSlot waits until s has fewer than maxUnacked comments unanswered,
// giving up at the sender's end or when the run stops.
func (r *run) claimSlot(ctx context.Context, s *socket, end time.Time) bool {
	select {
	case s.unacked <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(time.Until(end))
	defer t.Stop()
	select {
	case s.unacked <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// appendRawComment builds "<id> <unixnano>".
func appendRawComment(dst []byte, run string, room, seq int, sent int64) []byte {
	dst = appendID(dst, run, room, seq)
	dst = append(dst, ' ')
	return strconv.AppendInt(dst, sent, 10)
}

// appendJSONComment builds the product's comment frame. Every spliced value is
// digits, hex or a validated room name, so nothing needs escaping.
func appendJSONComment(dst []byte, run, roomName string, room, seq int, sent int64, videoTime time.Duration) []byte {
	dst = append(dst, `{"type":"comment","ref":"`...)
	dst = appendID(dst, run, room, seq)
	dst = append(dst, `","room":"`...)
	dst = append(dst, roomName...)
	dst = append(dst, `","text":"`+jsonTextPrefix...)
	dst = appendRawComment(dst, run, room, seq, sent)
	dst = append(dst, `","time":`...)
	dst = strconv.AppendFloat(dst, videoTime.Seconds(), 'f', 3, 64)
	return append(dst, `,"mode":"scroll","color":"#ffffff","size":"medium"}`...)
}

// onAck settles a json-mode ack: ok marks the comment accepted for its room.
func (r *run) onAck(f *serverFrame) {
	room, seq, ok := r.ourRef(f.ref)
	if !ok {
		r.unmatchedAcks.Add(1)
		return
	}
	if !f.ok {
		r.rejected.Add(1)
		r.count(r.rejectCodes, string(f.code))
		return
	}
	if r.rooms[room].accept(seq) {
		r.acked.Add(1)
	} else {
		r.unmatchedAcks.Add(1) // a second ack for the same comment
	}
}

// onError counts an error frame; one carrying a comment's ref rejects that
// comment (the server answers a malformed frame with an error, not an ack)
// and reports true.
func (r *run) onError(f *serverFrame) bool {
	if _, _, ok := r.ourRef(f.ref); ok {
		r.rejected.Add(1)
		r.count(r.rejectCodes, string(f.code))
		return true
	}
	r.count(r.serverErrors, string(f.code))
	return false
}

// ourRef parses a ref this run sent.
func (r *run) ourRef(ref []byte) (room, seq int, ok bool) {
	room, seq, ok = parseID(ref, r.id)
	if !ok || room >= len(r.rooms) || seq >= r.plan.rooms[room].budget {
		return 0, 0, false
	}
	return room, seq, true
}
