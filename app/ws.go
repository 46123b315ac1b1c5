package app

import (
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
	m.HandleError(func(s *melody.Session, err error) {
		a.log.Debug("websocket error", "err", err)
	})
	return m
}

// handleWS checks the handshake and hands the connection to melody.
func (a *App) handleWS(c *fiber.Ctx) error {
	if a.draining.Load() {
		return errs.New(errs.Unavailable, "the server is shutting down")
	}
	if !websocketUpgrade(c) {
		return &fiber.Error{Code: fiber.StatusUpgradeRequired, Message: "this endpoint only speaks WebSocket"}
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
	}
	cl := &client{app: a, id: identityOf(c), ip: c.IP(), initial: join}
	cookie, _ := c.Locals(localNewGuest).(string)
	a.sockets.wg.Add(1) // done when the socket closes, long after this handler returns
	return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer a.sockets.wg.Done()
		if cookie != "" {
			w.Header().Add("Set-Cookie", cookie)
		}
		rec := &hijackRecorder{ResponseWriter: w}
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
	if cl.initial != nil {
		if err := cl.join(cl.initial.room, cl.initial.since); err != nil {
			cl.sendError("", err)
		}
	}
}

func (a *App) onDisconnect(s *melody.Session) {
	cl := clientOf(s)
	a.sockets.remove(cl)
	cl.leaveAll()
}

func (a *App) onMessage(s *melody.Session, data []byte) {
	clientOf(s).handle(data)
}
