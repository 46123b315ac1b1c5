package app

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// WebSocket close codes the server uses (RFC 6455 §7.4.1).
const (
	closeGoingAway     = websocket.CloseGoingAway       // shutdown
	closePolicy        = websocket.ClosePolicyViolation // auth and abuse
	closeTryAgainLater = websocket.CloseTryAgainLater   // slow consumer
	sendBufferHeadroom = 8                              // slots kept free for the close frame
	keyClient          = "client"
)

func closeMessage(code int, reason string) []byte { return websocket.FormatCloseMessage(code, reason) }

// newMelody configures the WebSocket layer.
func (a *App) newMelody() *melody.Melody {
	m := melody.New()
	m.Config.MaxMessageSize = a.cfg.MaxFrameBytes
	m.Config.MessageBufferSize = a.cfg.SendBuffer + sendBufferHeadroom
	m.Config.PingPeriod = a.cfg.PingEvery
	m.Config.PongWait = a.cfg.PongWait
	m.Config.WriteWait = a.cfg.WriteWait
	m.Upgrader.CheckOrigin = a.checkOrigin
	// Clients send small frames (a comment is a few hundred bytes), so a
	// small read buffer serves them in one read; larger ones take a few.
	m.Upgrader.ReadBufferSize = 512
	// Idle sockets hold no write buffer: it is borrowed from the pool per
	// write, and 4 KiB holds a typical batched comments frame whole.
	m.Upgrader.WriteBufferSize = 4096
	m.Upgrader.WriteBufferPool = &sync.Pool{}

	m.HandleConnect(a.onConnect)
	m.HandleMessage(a.onMessage)
	m.HandleMessageBinary(func(s *melody.Session, _ []byte) {
		clientOf(s).sendError("", errs.New(errs.BadRequest, "binary frames are not supported; send JSON text frames"))
	})
	m.HandleSentMessage(func(s *melody.Session, _ []byte) { clientOf(s).sent() })
	m.HandleDisconnect(a.onDisconnect)
	m.HandleError(a.onSocketError)
	return m
}

// onSocketError is told of every failed read or write; melody then ends
// the session. A write that timed out is a client that stopped reading
// (its frames never left the kernel): the other slow-consumer close, next
// to a full send buffer, so it is logged and counted like one.
func (a *App) onSocketError(s *melody.Session, err error) {
	cl := clientOf(s)
	if cl != nil && writeTimedOut(err) && cl.closedBy(closeLabelWriteTimeout) {
		a.log.Warn("closing slow websocket: a write took longer than write-wait",
			"user", cl.identity().ID, "ip", cl.ip, "write_wait", a.cfg.WriteWait)
		return
	}
	a.log.Debug("websocket error", "err", err)
}

// writeTimedOut reports whether err is a write deadline passing. Read
// timeouts (no pong, or the linger after a close) are *net.OpError "read".
func writeTimedOut(err error) bool {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		return false
	}
	var op *net.OpError
	return !errors.As(err, &op) || op.Op == "write"
}

// handleWS checks the handshake and hands the connection to melody.
func (a *App) handleWS(c *fiber.Ctx) error {
	if err := a.checkUpgrade(c); err != nil {
		return err
	}
	var join *joinRequest
	if room := c.Query("room"); room != "" {
		if err := protocol.CheckRoomID(room); err != nil {
			return err
		}
		if _, err := a.store.Room(c.UserContext(), room); err != nil {
			return err
		}
		join = &joinRequest{room: room}
		if s := c.Query("since"); s != "" {
			since, err := strconv.ParseInt(s, 10, 64)
			if err != nil || since < 0 {
				return errs.New(errs.BadRequest, "since must be a seq number (0 or more)")
			}
			join.since = &since
		}
		// Join hooks run at the door: a banned user gets 403 before the
		// upgrade. An anonymous socket is asked again once it authenticates.
		if err := a.admit(c.UserContext(), room, sender{identityOf(c), clientAddr(c), viaWS}); err != nil {
			return err
		}
	}
	cl := a.newClient(c)
	cl.initial = join
	if join != nil && !identityOf(c).Anonymous() {
		cl.admitted = join.room
	}
	return a.upgrade(c, cl)
}

// newClient returns the client for a socket handshake c: the identity and
// expiry identify found, and the frame rate limit.
func (a *App) newClient(c *fiber.Ctx) *client {
	return &client{app: a, ip: c.IP(), addr: clientAddr(c), gate: newFrameGate(a.cfg),
		auth: socketAuth{id: identityOf(c), exp: expiryOf(c)}}
}

// checkUpgrade refuses handshakes while shutting down and plain HTTP requests.
func (a *App) checkUpgrade(c *fiber.Ctx) error {
	if a.draining.Load() {
		return errs.New(errs.Unavailable, "the server is shutting down")
	}
	if !websocketUpgrade(c) {
		return &fiber.Error{Code: fiber.StatusUpgradeRequired, Message: "this endpoint only speaks WebSocket"}
	}
	return nil
}

// upgrade hands the connection to melody, with cl as its client, unless
// cl's address already holds -max-conns-per-ip sockets.
func (a *App) upgrade(c *fiber.Ctx, cl *client) error {
	if !a.conns.acquire(cl.ip) {
		return errs.New(errs.RateLimited, "too many open sockets from your address (at most %d)", a.cfg.MaxConnsPerIP)
	}
	cookie, _ := c.Locals(localNewGuest).(string)
	tcp := c.Context().Conn()
	a.sockets.wg.Add(1) // done when the socket closes, long after this handler returns
	return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer a.sockets.wg.Done()
		defer a.conns.release(cl.ip)
		if cookie != "" {
			w.Header().Add("Set-Cookie", cookie)
		}
		rec := &hijackRecorder{ResponseWriter: w, tcp: tcp}
		cl.raw = rec
		if err := a.ws.HandleRequestWithKeys(rec, r, map[string]any{keyClient: cl}); err != nil {
			a.log.Debug("websocket handshake failed", "err", err)
		}
	})(c)
}

func websocketUpgrade(c *fiber.Ctx) bool {
	return strings.EqualFold(c.Get(fiber.HeaderUpgrade), "websocket")
}

func clientOf(s *melody.Session) *client {
	v, _ := s.Get(keyClient)
	cl, _ := v.(*client)
	return cl
}

func (a *App) onConnect(s *melody.Session) {
	cl := clientOf(s)
	cl.sess = s
	// melody keeps the upgrade request for the socket's life; nothing reads
	// it after the handshake, so let its headers and URL go.
	s.Request = nil
	a.sockets.add(cl)
	cl.limit = int32(a.cfg.SendBuffer)
	cl.startAuth()
	if cl.mod != nil {
		a.feed.connect(cl)
		return
	}
	if !cl.identity().Anonymous() { // an anonymous socket joins once it has authenticated
		cl.joinInitial()
	}
}

func (a *App) onDisconnect(s *melody.Session) {
	cl := clientOf(s)
	a.sockets.remove(cl)
	cl.endAuth()
	if cl.mod != nil {
		a.feed.disconnect(cl)
	}
	cl.leaveAll()
}

func (a *App) onMessage(s *melody.Session, data []byte) {
	cl := clientOf(s)
	if !cl.allowFrame(data) {
		return
	}
	if cl.mod != nil {
		cl.handleMod(data)
		return
	}
	cl.handle(data)
}
