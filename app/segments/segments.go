// Package segments serves a room's timeline in fixed slices of video time
// (Bilibili's 6-minute segments) that browsers and CDNs can cache. Each
// slice has a version that changes only when the slice does: a comment
// becomes visible in it, one of its comments is retracted, or one of its
// comments' like count or weight changes. The versions are kept here, fed
// by the store's commit events (Note), so a request whose ETag is still
// current is answered without reading a comment row, whatever the backend.
package segments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Shape of a segment.
const (
	// Length is the seconds of video one segment covers: segment n is
	// [n×Length, (n+1)×Length).
	Length = 360
	// PerMinute bounds the comments a segment carries for each minute of
	// video (its first ones by time): about 25 a second, more than a
	// screen shows, so a flooded minute cannot make a segment huge.
	PerMinute = 1500
	// MaxIndex is the last segment a comment's time can fall in.
	MaxIndex = int64(protocol.MaxTime) / Length
	// maxTracked and maxIDs bound the segments whose versions are kept
	// and the comment ids kept with them (8 bytes each); past either they
	// start over (new versions: every ETag handed out before is stale).
	maxTracked = 4096
	maxIDs     = 2_000_000
)

// Store reads what segments carry.
type Store interface {
	Room(ctx context.Context, id string) (store.Room, error)
	CommentsByTime(ctx context.Context, room string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error)
}

// Segment is one slice of a room's timeline.
type Segment struct {
	Room     string             `json:"room"`
	Index    int64              `json:"index"`
	From     float64            `json:"from"` // seconds, inclusive
	To       float64            `json:"to"`   // seconds, exclusive
	Comments []protocol.Comment `json:"comments"`
	// ETag names this version of the segment (an HTTP entity tag, quoted).
	ETag string `json:"-"`
}

// Service keeps the segments' versions.
type Service struct {
	store Store
	boot  string // versions start over with the process: its ETags never repeat

	mu      sync.Mutex
	next    uint64 // the last version handed out; guarded by mu
	rooms   map[string]*roomState
	tracked int // segments in rooms
	ids     int // ids kept by them
}

// roomState is what the service knows of one room's segments.
type roomState struct {
	// synced is the last seq whose comment the versions account for: a
	// commit event past synced+1, or a room read with a larger last seq,
	// means comments arrived unseen (an import), and every segment of the
	// room gets a new version.
	synced int64
	segs   map[int64]*segment
}

// segment is one segment's version and, once served at that version, the
// ids of the comments it carried (sorted), so that a retraction or a like
// can tell which segment it changes.
type segment struct {
	version uint64
	built   bool
	ids     []int64
}

// New returns the service.
func New(s Store) *Service {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &Service{store: s, boot: hex.EncodeToString(b[:]), rooms: map[string]*roomState{}}
}

// Get returns segment n of room. When ifNoneMatch (an If-None-Match header)
// names its current version it reads no comments and reports false: the
// caller's copy is still good. ETag is set either way.
func (s *Service) Get(ctx context.Context, room string, n int64, ifNoneMatch string) (Segment, bool, error) {
	if n < 0 || n > MaxIndex {
		return Segment{}, false, errs.New(errs.BadRequest, "segment must be a whole number from 0 to %d", MaxIndex)
	}
	r, err := s.store.Room(ctx, room)
	if err != nil {
		return Segment{}, false, err
	}
	out := Segment{Room: room, Index: n, From: float64(n * Length), To: float64((n + 1) * Length)}
	s.mu.Lock()
	st := s.roomLocked(room, r.LastSeq)
	seg := st.segs[n]
	if seg == nil {
		seg = s.trackLocked(room, st, n)
	}
	version := seg.version
	out.ETag = s.etag(version)
	if seg.built && Matches(ifNoneMatch, out.ETag) {
		s.mu.Unlock()
		return out, false, nil
	}
	s.mu.Unlock()

	out.Comments, err = s.read(ctx, room, n)
	if err != nil {
		return Segment{}, false, err
	}
	s.mu.Lock()
	// A change that came in while reading moved the version on: this read
	// goes out under the old version, which the next request finds stale.
	// (So does one the cache dropped meanwhile.)
	if seg.version == version && s.rooms[room] == st && st.segs[n] == seg {
		seg.built, seg.ids = true, idsOf(out.Comments)
		s.ids += len(seg.ids)
	}
	s.mu.Unlock()
	return out, true, nil
}

// read reads a segment's comments, a minute of video at a time, each
// minute's first PerMinute of them.
func (s *Service) read(ctx context.Context, room string, n int64) ([]protocol.Comment, error) {
	out := []protocol.Comment{}
	for from := n * Length; from < (n+1)*Length; from += 60 {
		list, err := s.store.CommentsByTime(ctx, room, protocol.Seconds(from*1000), protocol.Seconds((from+60)*1000), PerMinute)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// etag is the entity tag of a version.
func (s *Service) etag(version uint64) string {
	return `"` + s.boot + "." + strconv.FormatUint(version, 36) + `"`
}

// roomLocked returns the room's state, made on first use, after making
// sure it accounts for every comment up to lastSeq. Guarded by mu.
func (s *Service) roomLocked(room string, lastSeq int64) *roomState {
	st := s.rooms[room]
	if st == nil {
		st = &roomState{synced: lastSeq, segs: map[int64]*segment{}}
		s.rooms[room] = st
		return st
	}
	if lastSeq > st.synced {
		// Comments the events have not told of: in flight, or never coming
		// (an import). Either way no version can be trusted.
		s.bumpAllLocked(st)
		st.synced = lastSeq
	}
	return st
}

// trackLocked starts keeping segment n's version. Past maxTracked every
// other room's versions are dropped: they start over with new numbers, so
// no ETag handed out before matches again. Guarded by mu.
func (s *Service) trackLocked(room string, st *roomState, n int64) *segment {
	if s.tracked >= maxTracked || s.ids >= maxIDs {
		clear(s.rooms)
		clear(st.segs)
		s.rooms[room] = st
		s.tracked, s.ids = 0, 0
	}
	s.next++
	seg := &segment{version: s.next}
	st.segs[n] = seg
	s.tracked++
	return seg
}

// bumpLocked gives seg a new version: its ETags are stale from now on.
// Guarded by mu.
func (s *Service) bumpLocked(seg *segment) {
	s.next++
	s.ids -= len(seg.ids)
	seg.version, seg.built, seg.ids = s.next, false, nil
}

func (s *Service) bumpAllLocked(st *roomState) {
	for _, seg := range st.segs {
		s.bumpLocked(seg)
	}
}

// Note takes what a committed batch changed into the versions. It runs on
// the store's delivery goroutine, in commit order, and only counts.
func (s *Service) Note(ev store.Events) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range ev.Comments {
		st := s.rooms[c.Room]
		if st == nil {
			continue
		}
		if c.Seq > st.synced+1 {
			s.bumpAllLocked(st)
		}
		st.synced = max(st.synced, c.Seq)
		if seg := st.segs[Index(c.Time)]; seg != nil {
			s.bumpLocked(seg)
		}
	}
	for _, r := range ev.Retracts {
		if r.User == "" { // a shadowed comment's retraction: never in a segment
			s.changedLocked(r.Room, r.IDs...)
		}
	}
	for _, l := range ev.Likes {
		if l.CommentID != 0 {
			s.changedLocked(l.Room, l.CommentID)
		}
	}
	for _, w := range ev.Weights {
		s.changedLocked(w.Room, w.CommentID)
	}
}

// changedLocked gives a new version to the segments holding any of ids,
// and to every segment being read now (which may hold them). Guarded by mu.
func (s *Service) changedLocked(room string, ids ...int64) {
	st := s.rooms[room]
	if st == nil {
		return
	}
	for _, seg := range st.segs {
		if !seg.built {
			s.bumpLocked(seg)
			continue
		}
		for _, id := range ids {
			if _, ok := slices.BinarySearch(seg.ids, id); ok {
				s.bumpLocked(seg)
				break
			}
		}
	}
}

// Index is the segment a video time falls in.
func Index(t protocol.Seconds) int64 { return int64(t) / (Length * 1000) }

func idsOf(list []protocol.Comment) []int64 {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids
}

// Matches reports whether an If-None-Match header names etag, or is "*"
// (RFC 9110 §13.1.2: weak comparison, so W/ is ignored).
func Matches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}
