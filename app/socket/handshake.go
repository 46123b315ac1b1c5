package socket

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
)

// HandleViewer serves GET /ws: it checks the handshake (the wire version
// ?v=, and, with ?room=, the room and its join hooks) and hands the
// connection to melody. It runs after middleware.Auth.IdentifySocket.
func (s *Server) HandleViewer(c *fiber.Ctx) error {
	if err := s.checkUpgrade(c); err != nil {
		return err
	}
	version, err := protocol.ParseVersion(c.Query("v"))
	if err != nil {
		return err
	}
	v := &viewerSocket{conn: s.newConn(c), version: version}
	if room := c.Query("room"); room != "" {
		join, err := s.initialJoin(c, room)
		if f, banned := s.banned(c, room, err); banned {
			// A browser cannot read a refused handshake's status, so the
			// socket opens, says why and closes with a code it knows.
			v.banned = &f
			return s.upgrade(c, v)
		}
		if err != nil {
			return err
		}
		v.initial = join
		if !v.identity().Anonymous() {
			v.admitted = room
		}
	}
	return s.upgrade(c, v)
}

// initialJoin checks the room a handshake asks to join. Join hooks run at
// the door: a banned user gets 403 before the upgrade. An anonymous socket
// is asked again once it authenticates.
func (s *Server) initialJoin(c *fiber.Ctx, room string) (*joinRequest, error) {
	if err := protocol.CheckRoomID(room); err != nil {
		return nil, err
	}
	if _, err := s.deps.Store.Room(c.UserContext(), room); err != nil {
		return nil, err
	}
	join := &joinRequest{room: room}
	if q := c.Query("since"); q != "" {
		since, err := strconv.ParseInt(q, 10, 64)
		if err != nil || since < 0 {
			return nil, errs.New(errs.BadRequest, "since must be a seq number (0 or more)")
		}
		join.since = &since
	}
	from := moderation.Sender{Identity: middleware.IdentityOf(c), IP: middleware.ClientAddr(c), Via: moderation.ViaWS}
	if err := s.deps.Moderation.Admit(c.UserContext(), room, from); err != nil {
		return nil, err
	}
	return join, nil
}

// banned reports whether err, the refusal of a handshake's join, is a ban,
// and returns the banned frame.
func (s *Server) banned(c *fiber.Ctx, room string, err error) (protocol.Banned, bool) {
	if err == nil || errs.CodeOf(err) != errs.Forbidden {
		return protocol.Banned{}, false
	}
	from := moderation.Sender{Identity: middleware.IdentityOf(c), IP: middleware.ClientAddr(c), Via: moderation.ViaWS}
	return s.deps.Moderation.BanOf(c.UserContext(), room, from)
}

// HandleModerator serves GET /ws/admin; the route requires the moderator
// role, and every frame checks it again.
func (s *Server) HandleModerator(c *fiber.Ctx) error {
	if err := s.checkUpgrade(c); err != nil {
		return err
	}
	return s.upgrade(c, &moderatorSocket{conn: s.newConn(c)})
}

// newConn returns the connection state for handshake c: the credentials
// the identity middleware found, and the frame rate limit.
func (s *Server) newConn(c *fiber.Ctx) conn {
	return conn{srv: s, ip: c.IP(), addr: middleware.ClientAddr(c), gate: newFrameGate(s.cfg),
		auth: socketAuth{tok: middleware.CredentialsOf(c)}}
}

// checkUpgrade refuses handshakes while shutting down and plain HTTP requests.
func (s *Server) checkUpgrade(c *fiber.Ctx) error {
	if s.closing.Load() {
		return errs.New(errs.Unavailable, "the server is shutting down")
	}
	if !strings.EqualFold(c.Get(fiber.HeaderUpgrade), "websocket") {
		return &fiber.Error{Code: fiber.StatusUpgradeRequired, Message: "this endpoint only speaks WebSocket"}
	}
	return nil
}

// upgrade hands the connection to melody, with sk as its socket, unless
// its address already holds MaxConnsPerIP sockets. melody runs on a
// goroutine of the connection's own once the handler has returned (see
// bridge.go).
func (s *Server) upgrade(c *fiber.Ctx, sk socket) error {
	b := sk.base()
	if !s.conns.acquire(b.ip) {
		return errs.New(errs.RateLimited, "too many open sockets from your address (at most %d)", s.cfg.MaxConnsPerIP)
	}
	cookie := middleware.NewGuestCookie(c)
	s.registry.wg.Add(1) // done when the socket closes, long after this handler returns
	hijack(c, func(raw net.Conn, r *http.Request) {
		defer s.registry.wg.Done()
		defer s.conns.release(b.ip)
		w := newHandshakeWriter(raw)
		if cookie != "" {
			w.Header().Add("Set-Cookie", cookie)
		}
		b.raw = w
		if err := s.melody.HandleRequestWithKeys(w, r, map[string]any{keySocket: sk}); err != nil {
			s.log.Debug("websocket handshake failed", "err", err)
		}
		if w.conn == nil { // refused before the upgrade took the connection
			_ = raw.Close()
		}
	})
	return nil
}
