package socket

import (
	"context"
	"sync"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// closeLabelBanned counts sockets closed because their user is banned.
const closeLabelBanned = "banned"

// joinedRooms is the rooms a viewer's socket is in, for other goroutines
// (a new ban looks for its viewers); the socket's own goroutine keeps it.
type joinedRooms struct {
	mu    sync.Mutex
	rooms map[string]bool
}

func (j *joinedRooms) set(room string, in bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.rooms == nil {
		j.rooms = map[string]bool{}
	}
	if in {
		j.rooms[room] = true
	} else {
		delete(j.rooms, room)
	}
}

func (j *joinedRooms) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]string, 0, len(j.rooms))
	for r := range j.rooms {
		out = append(out, r)
	}
	return out
}

// closeBanned tells the viewer why they may not stay (a banned frame) and
// closes the socket with protocol.CloseBanned, which clients do not
// reconnect after.
func (c *conn) closeBanned(f protocol.Banned) {
	if !c.closedBy(closeLabelBanned) {
		return
	}
	c.Send(protocol.Encode(f))
	c.close(protocol.CloseBanned, protocol.ReasonBanned)
}

// refuseJoin handles a join the room's hooks refused with err: a banned
// viewer's socket is closed with the ban (and nil returned, the banned
// frame saying it all); any other refusal is returned as it is.
func (c *viewerSocket) refuseJoin(ctx context.Context, room string, err error) error {
	if f, banned := c.srv.deps.Moderation.BanOf(ctx, room, c.from()); banned {
		c.closeBanned(f)
		return nil
	}
	return err
}

// CloseBanned closes the viewers' sockets that ban b keeps out, in its
// room or everywhere, as their next join would be refused. The room's
// join hooks decide, so a shadow ban closes nothing.
func (s *Server) CloseBanned(b store.Ban) {
	s.registry.each(func(sk socket) {
		v, ok := sk.(*viewerSocket)
		if !ok {
			return
		}
		byUser := b.UserID != "" && v.identity().ID == b.UserID
		byAddr := b.IP.IsValid() && v.addr.IsValid() && b.IP.Contains(v.addr.Unmap())
		if !byUser && !byAddr {
			return
		}
		for _, room := range v.joined.list() {
			if b.Room != "" && room != b.Room {
				continue
			}
			ctx, cancel := frameContext()
			err := s.deps.Moderation.Admit(ctx, room, v.from())
			if err != nil && errs.CodeOf(err) == errs.Forbidden {
				if f, banned := s.deps.Moderation.BanOf(ctx, room, v.from()); banned {
					v.closeBanned(f)
				}
			}
			cancel()
			return
		}
	})
}
