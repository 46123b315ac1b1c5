// Package socket is the WebSocket transport: melody glue for the viewers'
// sockets (GET /ws) and the moderators' (GET /ws/admin), their auth,
// frame-rate limits and slow-consumer handling, and the registry that
// closes them all on shutdown. Frames go to the services; the hub pushes
// frames back through each socket's Send.
package socket

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/olahol/melody"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Ingest takes in comments (see ingest.Service).
type Ingest interface {
	Submit(ctx context.Context, room string, from moderation.Sender, in protocol.CommentInput, done func(protocol.Comment, error))
	Refused(via string, err error)
}

// Moderation is what the sockets ask of moderation (see moderation.Service).
type Moderation interface {
	Admit(ctx context.Context, room string, from moderation.Sender) error
	Decide(ctx context.Context, by auth.Identity, d store.Decision, ids []int64) ([]store.ModComment, error)
	Ban(ctx context.Context, by auth.Identity, req modproto.BanRequest) (modproto.BanResult, error)
	Unban(ctx context.Context, by auth.Identity, id int64) (store.Ban, error)
	Reload(ctx context.Context) error
	Stats() plugins.Stats
	Feed() *moderation.Feed
	BanOf(ctx context.Context, room string, from moderation.Sender) (protocol.Banned, bool)
}

// Store is what the viewers' sockets read and write directly.
type Store interface {
	Room(ctx context.Context, id string) (store.Room, error)
	CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error)
	LikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error)
	LikeRoom(ctx context.Context, roomID, userID string) (store.LikeChange, error)
}

// Hub seats viewers in rooms.
type Hub interface {
	Join(room string, m hub.Member) (*hub.Subscription, int, error)
}

// Observer counts sockets the server closes, by reason (metrics).
type Observer interface {
	SocketClosed(reason string)
}

// Config sizes and times the sockets.
type Config struct {
	MaxFrameBytes   int64         // largest frame a client may send
	SendBuffer      int           // frames queued per socket before it counts as slow
	PingEvery       time.Duration // ping interval
	PongWait        time.Duration // a socket with no pong for this long is closed
	WriteWait       time.Duration // a frame write that takes longer fails the socket
	AuthTimeout     time.Duration // how long a socket without credentials has to send an auth frame
	MaxRoomsPerConn int           // rooms one socket may join at once
	CatchupLimit    int           // most comments replayed to one join with since
	FrameRate       float64       // frames per second one socket may send, sustained; <= 0: no limit
	FrameBurst      int           // frames one socket may send at once above the rate
	MaxConnsPerIP   int           // open sockets from one IP; <= 0: no limit
	SessionRecheck  time.Duration // how often an idle moderator's socket re-reads its session; <= 0: never
}

// Deps are the socket transport's dependencies.
type Deps struct {
	Ingest     Ingest
	Feedback   Feedback
	Moderation Moderation
	Store      Store
	Hub        Hub
	Auth       *middleware.Auth
	Origins    middleware.Origins
	Observer   Observer
	Logger     *slog.Logger
}

// Server holds every open socket of the server.
type Server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	melody   *melody.Melody
	registry registry
	conns    connLimit // open sockets per IP
	closing  atomic.Bool
}

// New configures the WebSocket layer.
func New(cfg Config, deps Deps) *Server {
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, conns: connLimit{max: cfg.MaxConnsPerIP}}
	m := melody.New()
	m.Config.MaxMessageSize = cfg.MaxFrameBytes
	m.Config.MessageBufferSize = cfg.SendBuffer + sendBufferHeadroom
	m.Config.PingPeriod = cfg.PingEvery
	m.Config.PongWait = cfg.PongWait
	m.Config.WriteWait = cfg.WriteWait
	m.Upgrader.CheckOrigin = deps.Origins.CheckSocket
	// Clients send small frames (a comment is a few hundred bytes), so a
	// small read buffer serves them in one read; larger ones take a few.
	m.Upgrader.ReadBufferSize = 512
	// Idle sockets hold no write buffer: it is borrowed from the pool per
	// write, and 4 KiB holds a typical batched comments frame whole.
	m.Upgrader.WriteBufferSize = 4096
	m.Upgrader.WriteBufferPool = &sync.Pool{}

	m.HandleConnect(func(ms *melody.Session) { s.connected(ms) })
	m.HandleMessage(func(ms *melody.Session, data []byte) {
		sk := socketOf(ms)
		if sk.base().allowFrame(data) {
			sk.message(data)
		}
	})
	m.HandleMessageBinary(func(ms *melody.Session, _ []byte) {
		socketOf(ms).base().sendError("", errs.New(errs.BadRequest, "binary frames are not supported; send JSON text frames"))
	})
	m.HandleSentMessage(func(ms *melody.Session, _ []byte) { socketOf(ms).base().sent() })
	m.HandleDisconnect(func(ms *melody.Session) { s.disconnected(ms) })
	m.HandleError(s.failed)
	s.melody = m
	return s
}

// socket is a viewer's or a moderator's connection.
type socket interface {
	base() *conn
	connected()
	message(data []byte)
	disconnected()
}

const keySocket = "socket"

func socketOf(s *melody.Session) socket {
	v, _ := s.Get(keySocket)
	sk, _ := v.(socket)
	return sk
}

func (s *Server) connected(ms *melody.Session) {
	sk := socketOf(ms)
	c := sk.base()
	c.sess = ms
	// melody keeps the upgrade request for the socket's life; nothing reads
	// it after the handshake, so let its headers and URL go.
	ms.Request = nil
	s.registry.add(sk)
	c.limit = int32(s.cfg.SendBuffer)
	c.startAuth()
	sk.connected()
}

func (s *Server) disconnected(ms *melody.Session) {
	sk := socketOf(ms)
	s.registry.remove(sk)
	sk.base().endAuth()
	sk.disconnected()
}

// failed is told of every failed read or write; melody then ends the
// session. A write that timed out is a client that stopped reading (its
// frames never left the kernel): the other slow-consumer close, next to a
// full send buffer, so it is logged and counted like one.
func (s *Server) failed(ms *melody.Session, err error) {
	sk := socketOf(ms)
	if s.closing.Load() {
		// Shutdown asked every socket to close: a write that now fails is
		// one to a client that stopped reading, ended with the rest.
		if sk != nil && writeTimedOut(err) {
			s.log.Info("shutdown cut a websocket that was not reading", "user", sk.base().identity().ID, "ip", sk.base().ip)
			return
		}
		s.log.Debug("websocket error during shutdown", "err", err)
		return
	}
	if sk != nil && writeTimedOut(err) && sk.base().closedBy(closeLabelWriteTimeout) {
		c := sk.base()
		s.log.Warn("closing slow websocket: a write took longer than write-wait",
			"user", c.identity().ID, "ip", c.ip, "write_wait", s.cfg.WriteWait)
		return
	}
	s.log.Debug("websocket error", "err", err)
}

// Count returns how many viewer and moderator sockets are open.
func (s *Server) Count() (viewers, moderators int) { return s.registry.count() }

// RevokeUser ends the identity of every open socket of user: an error frame
// (unauthorized) and a 1008 close, both with reason. It returns how many
// there were.
func (s *Server) RevokeUser(user, reason string) int {
	n := 0
	s.registry.each(func(sk socket) {
		if c := sk.base(); c.identity().ID == user {
			c.revoke(0, "", errs.New(errs.Unauthorized, "%s", reason))
			n++
		}
	})
	return n
}

// RevokeSession ends the identity of every open socket that stands on
// session, as RevokeUser does, and returns how many there were.
func (s *Server) RevokeSession(session, reason string) int {
	n := 0
	s.registry.each(func(sk socket) {
		if c := sk.base(); session != "" && c.session() == session {
			c.revoke(0, "", errs.New(errs.Unauthorized, "%s", reason))
			n++
		}
	})
	return n
}

// Shutdown refuses new handshakes, closes every socket with 1001 (cutting
// those that do not answer within closeGrace) and waits for their handlers
// to return, bounded by ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	// melody's own Close races with sessions that are ending (a session can
	// block forever unregistering from a stopped hub), so it runs only once
	// every socket handler has returned.
	cut, err := s.registry.closeAll(ctx, closeGoingAway, "server shutting down", closeGrace)
	if cut > 0 {
		s.log.Info("shutdown cut websockets that did not answer the close in time", "sockets", cut, "grace", closeGrace)
	}
	if err != nil {
		return err
	}
	if err := s.melody.Close(); err != nil && !errors.Is(err, melody.ErrClosed) {
		return err
	}
	return nil
}

// closeGrace is how long shutdown waits for clients to answer the close
// frame before cutting their connections.
const closeGrace = 2 * time.Second
