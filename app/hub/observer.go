package hub

// FrameKind is what a fanned-out frame carries.
type FrameKind int

// The kinds of frames a room fans out.
const (
	FrameComments FrameKind = iota // newly visible comments
	FrameLikes                     // coalesced like counts
	FramePresence                  // the room's viewer count
	FrameOther                     // anything published as an opaque frame (retractions, …)
)

// FrameKinds lists every FrameKind, for observers that set up one series each.
var FrameKinds = [...]FrameKind{FrameComments, FrameLikes, FramePresence, FrameOther}

// String names the kind, as metrics label it.
func (k FrameKind) String() string {
	switch k {
	case FrameComments:
		return "comments"
	case FrameLikes:
		return "likes"
	case FramePresence:
		return "presence"
	}
	return "other"
}

// Observer is told about every frame a room fans out, once per frame (never
// per socket: the fan-out loop stays as it is), so that the hub needs no
// metrics library of its own.
type Observer interface {
	// Frame reports one frame of kind, holding comments comments (zero for
	// other kinds), fanned out to a room of sockets members. (A member
	// still catching up gets the frame a moment later, merged into its
	// catch-up; one that already has every comment in it is skipped.) It
	// runs on the room's flush goroutine with the room locked: it must be
	// cheap and never block.
	Frame(kind FrameKind, comments, sockets int)
}

// observe tells the hub's Observer, if it has one, about a frame just
// fanned out to the room's members. Guarded by mu.
func (r *room) observe(kind FrameKind, comments int) {
	if o := r.hub.opts.Observer; o != nil {
		o.Frame(kind, comments, len(r.members))
	}
}

// Rooms returns how many rooms have viewers on this node.
func (h *Hub) Rooms() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms)
}
