// Package heat computes rooms' heat curves (高能进度条): how many comments
// fall in each step of the timeline, by video time in a VOD room, by time
// since the replay's start in a live one. Each room's counts per second
// are read once, kept, and counted on as comments arrive, so a curve costs
// no query while the room goes on.
package heat

import (
	"context"
	"sync"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds of a curve.
const (
	DefaultStep = 5     // seconds per point when the client names none
	MaxStep     = 3600  // seconds per point at most
	MaxPoints   = 20000 // points in one curve
	maxRooms    = 1000  // rooms whose counts are kept; past it the cache starts over
)

// Store reads what the curves count.
type Store interface {
	Room(ctx context.Context, id string) (store.Room, error)
	HeatBins(ctx context.Context, q store.HeatQuery) ([]store.HeatBin, error)
}

// Origins says where a live room's replay starts (see rooms.ReplayOrigin):
// the curve of a live room counts seconds from there.
type Origins interface {
	ReplayOrigin(ctx context.Context, r store.Room) (protocol.Timestamp, error)
}

// Curve is a room's heat curve.
type Curve struct {
	Room string `json:"room"`
	// Axis is "video" (seconds of video time) or "replay" (seconds after
	// Origin, the start of a live room's replay).
	Axis   string              `json:"axis"`
	Origin *protocol.Timestamp `json:"origin,omitempty"`
	Step   int                 `json:"step"`
	// Counts[i] is how many visible comments fall in [i×Step, (i+1)×Step).
	Counts []int64 `json:"counts"`
	Peak   int64   `json:"peak"`  // the largest count
	Total  int64   `json:"total"` // comments counted
}

// Axes of a curve.
const (
	AxisVideo  = "video"
	AxisReplay = "replay"
)

// Service keeps the rooms' counts.
type Service struct {
	store   Store
	origins Origins

	mu    sync.Mutex
	rooms map[string]*counts
}

// counts is one room's comments per second, as of seq lastSeq.
type counts struct {
	mu      sync.Mutex
	loaded  bool
	stale   bool   // something happened that counting on cannot follow
	gen     uint64 // bumped by every retraction
	lastSeq int64
	origin  protocol.Timestamp // 0: by video time
	bins    map[int64]int64
}

// New returns the service.
func New(s Store, o Origins) *Service {
	return &Service{store: s, origins: o, rooms: map[string]*counts{}}
}

// Curve returns room's curve in steps of step seconds, up to second to
// (0: up to the last comment).
func (s *Service) Curve(ctx context.Context, roomID string, step int, to float64) (Curve, error) {
	if step < 1 || step > MaxStep {
		return Curve{}, errs.New(errs.BadRequest, "step must be a whole number of seconds from 1 to %d", MaxStep)
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return Curve{}, err
	}
	c := s.entry(roomID)
	c.mu.Lock()
	fresh, gen := c.loaded && !c.stale && c.lastSeq >= r.LastSeq, c.gen
	c.mu.Unlock()
	if !fresh {
		// Read without the lock: Note runs on the writer's delivery
		// goroutine and must never wait for a query.
		bins, origin, err := s.read(ctx, r)
		if err != nil {
			return Curve{}, err
		}
		c.mu.Lock()
		// A live room's replay starts at its first comment: an empty one's
		// start is not known yet, so it is read again next time.
		c.bins, c.origin, c.lastSeq, c.loaded = bins, origin, r.LastSeq, len(bins) > 0 || r.Kind != store.KindLive
		// A retraction while reading may have missed the snapshot; comments
		// committed meanwhile have larger seqs and the next call reads again.
		c.stale = c.gen != gen
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.curve(roomID, step, to)
}

// entry returns the room's counts, made on first use.
func (s *Service) entry(room string) *counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.rooms[room]
	if c == nil {
		if len(s.rooms) >= maxRooms {
			clear(s.rooms)
		}
		c = &counts{}
		s.rooms[room] = c
	}
	return c
}

// read reads the room's counts per second as of its last seq.
func (s *Service) read(ctx context.Context, r store.Room) (map[int64]int64, protocol.Timestamp, error) {
	q := store.HeatQuery{Room: r.ID, UpTo: r.LastSeq}
	if r.Kind == store.KindLive {
		origin, err := s.origins.ReplayOrigin(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		q.Since = origin
	}
	list, err := s.store.HeatBins(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	bins := make(map[int64]int64, len(list))
	for _, b := range list {
		bins[b.Second] = b.Count
	}
	return bins, q.Since, nil
}

// curve sums the counts per step. c.mu is held.
func (c *counts) curve(room string, step int, to float64) (Curve, error) {
	out := Curve{Room: room, Axis: AxisVideo, Step: step, Counts: []int64{}}
	if c.origin != 0 {
		origin := c.origin
		out.Axis, out.Origin = AxisReplay, &origin
	}
	last := int64(-1)
	for sec := range c.bins {
		last = max(last, sec)
	}
	end := last / int64(step) // the last point's index
	if to > 0 {
		end = int64(to / float64(step))
	}
	if end < 0 {
		return out, nil
	}
	if end+1 > MaxPoints {
		return Curve{}, errs.New(errs.Invalid, "a curve has at most %d points: ask for a step of at least %d seconds", MaxPoints, (end*int64(step))/MaxPoints+1)
	}
	out.Counts = make([]int64, end+1)
	for sec, n := range c.bins {
		if i := sec / int64(step); sec >= 0 && i <= end {
			out.Counts[i] += n
			out.Total += n
		}
	}
	for _, n := range out.Counts {
		out.Peak = max(out.Peak, n)
	}
	return out, nil
}

// Note counts what a committed batch changed into the rooms already
// loaded. It runs on the writer's delivery goroutine, in commit order, so
// it only counts: comments that follow on the last seq counted are added;
// anything else (a gap, a retraction) marks the room to be read again.
func (s *Service) Note(ev store.Events) {
	for _, c := range ev.Comments {
		if e := s.loaded(c.Room); e != nil {
			e.add(c)
		}
	}
	for _, r := range ev.Retracts {
		if e := s.loaded(r.Room); e != nil {
			e.mu.Lock()
			e.stale = true
			e.gen++
			e.mu.Unlock()
		}
	}
}

// loaded returns a room's counts if it has any.
func (s *Service) loaded(room string) *counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[room]
}

// add counts one newly visible comment.
func (c *counts) add(cm protocol.Comment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded || c.stale {
		return
	}
	if cm.Seq != c.lastSeq+1 {
		c.stale = true
		return
	}
	c.lastSeq = cm.Seq
	sec := int64(cm.Time) / 1000
	if c.origin != 0 {
		if cm.CreatedAt < c.origin {
			return
		}
		sec = int64(cm.CreatedAt-c.origin) / 1000
	}
	c.bins[sec]++
}

// ArtPlayer returns the curve as ArtPlayer's danmuku plugin takes heat
// points: [seconds, count] pairs, one per step (its heatmap option's xMin
// 0 and xMax the video's duration put them on the video's axis).
func (c Curve) ArtPlayer() [][2]float64 {
	out := make([][2]float64, len(c.Counts))
	for i, n := range c.Counts {
		out[i] = [2]float64{float64(i * c.Step), float64(n)}
	}
	return out
}
