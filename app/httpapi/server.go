// Package httpapi is the HTTP transport: the Fiber server, the route table
// (REST API, DPlayer's API, sockets, pages, assets, health and metrics) and
// the one place errors become HTTP answers. Handlers parse requests and
// call the services; the middleware they need is mounted with them.
package httpapi

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/pages"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/rooms"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/transfer"
	"github.com/danmaku/danmaku/plugins"
)

// Store is what handlers read and write directly: listings and likes.
type Store interface {
	CommentsAfter(ctx context.Context, room string, after int64, limit int) ([]protocol.Comment, error)
	CommentsByTimeFor(ctx context.Context, room, viewer string, from, to protocol.Seconds, limit int) ([]protocol.Comment, error)
	LatestVisible(ctx context.Context, room string, limit int) ([]protocol.Comment, error)
	LikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (store.LikeChange, error)
	LikeRoom(ctx context.Context, roomID, userID string) (store.LikeChange, error)
	HeldComments(ctx context.Context, room string, limit int) ([]store.ModComment, error)
	RecentComments(ctx context.Context, q store.RecentQuery) ([]store.ModComment, error)
	BanHistory(ctx context.Context, limit int) ([]store.Ban, error)
	Ready(ctx context.Context) error
	Pending(ctx context.Context) ([]store.MigrationState, error)
}

// Ingest takes in comments (see ingest.Service).
type Ingest interface {
	SubmitWait(ctx context.Context, room string, from moderation.Sender, in protocol.CommentInput) (protocol.Comment, error)
	Refused(via string, err error)
}

// Moderation carries out moderators' requests (see moderation.Service).
type Moderation interface {
	Decide(ctx context.Context, by auth.Identity, d store.Decision, ids []int64) ([]store.ModComment, error)
	Ban(ctx context.Context, by auth.Identity, req modproto.BanRequest) (modproto.BanResult, error)
	Unban(ctx context.Context, by auth.Identity, id int64) (store.Ban, error)
	ActiveBans() []store.Ban
	Reload(ctx context.Context) error
	Stats() plugins.Stats
	Modes(ctx context.Context, room string) store.RoomModes
	SetModes(ctx context.Context, by auth.Identity, req modproto.ModesRequest) (store.RoomModes, error)
	LiveState(ctx context.Context) (modproto.Live, error)
	UserAction(ctx context.Context, by auth.Identity, req modproto.UserActionRequest) (store.UserAction, error)
	Undo(ctx context.Context, by auth.Identity, id int64) (store.UserAction, error)
	AddTerms(ctx context.Context, by auth.Identity, req modproto.TermRequest) ([]store.BlockedTerm, error)
	RemoveTerm(ctx context.Context, by auth.Identity, id int64) (store.BlockedTerm, error)
	BanTermUsers(ctx context.Context, by auth.Identity, id int64, req modproto.TermBanRequest) (modproto.TermBanResult, error)
	AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error)
}

// Transfer imports and exports files (see transfer.Service).
type Transfer interface {
	Import(ctx context.Context, r io.Reader, opt transfer.ImportOptions) (transfer.ImportReport, error)
	WriteExport(ctx context.Context, w io.Writer, r store.Room, format interop.Format) (int, error)
}

// Sockets are the WebSocket handshakes (see socket.Server).
type Sockets interface {
	HandleViewer(c *fiber.Ctx) error
	HandleModerator(c *fiber.Ctx) error
}

// Metrics counts requests and serves the Prometheus metrics.
type Metrics interface {
	middleware.RequestObserver
	Handler() http.Handler
}

// Config is what the HTTP server is set up with.
type Config struct {
	MaxBodyBytes   int // largest request body
	MaxImportBytes int // largest upload to the import route
	ProxyHeader    string
	TrustedProxies []string
	AllowedOrigins []string
	RESTWrites     int           // writes per IP per RESTWindow; <= 0: no limit
	RESTWindow     time.Duration //
	MetricsHere    bool          // serve /metrics on this server
}

// Deps are the HTTP server's dependencies.
type Deps struct {
	Rooms      rooms.Directory
	Store      Store
	Ingest     Ingest
	Moderation Moderation
	Feedback   Feedback
	Heat       Heat
	Segments   Segments
	Transfer   Transfer
	Sockets    Sockets
	Pages      pages.Deps
	Templates  fs.FS // page templates, *.html at the root; nil: no pages but JSON errors
	Assets     fs.FS // static files served under /assets; nil: none
	Auth       *middleware.Auth
	Origins    middleware.Origins
	Metrics    Metrics
	Draining   func() bool   // the server is shutting down
	Pressure   func() string // why no more connections fit (descriptors), or ""; nil: never
	// Redis says why cross-node delivery is not running over Redis, or
	// nil; nil func: not a cluster with Redis. It never makes /readyz 503.
	Redis  func() error
	Logger *slog.Logger
}

// server holds what the handlers share.
type server struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	pages  *pages.Pages
	assets *pages.Assets // nil: no /assets
}

// Server is the HTTP server.
type Server struct{ fiber *fiber.App }

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.fiber.Listener(ln) }

// Shutdown stops taking requests and waits for those in flight, bounded by ctx.
func (s *Server) Shutdown(ctx context.Context) error { return s.fiber.ShutdownWithContext(ctx) }

// New builds the HTTP server and its routes, loading the asset tree and
// the templates.
func New(cfg Config, deps Deps) (*Server, error) {
	s := &server{cfg: cfg, deps: deps, log: deps.Logger, pages: pages.New(deps.Pages, deps.Logger)}
	var views fiber.Views
	if deps.Assets != nil {
		var err error
		if s.assets, err = pages.LoadAssets(deps.Assets); err != nil {
			return nil, err
		}
	}
	if deps.Templates != nil {
		var err error
		if views, err = pages.Views(deps.Templates, s.assets); err != nil {
			return nil, err
		}
	}
	limits := &middleware.BodyLimits{Default: cfg.MaxBodyBytes, Auth: deps.Auth}
	f := fiber.New(fiber.Config{
		AppName:               "danmaku",
		DisableStartupMessage: true,
		// Handlers may keep strings past the request (sockets live on after
		// the handshake), so fasthttp's reused buffers must not leak into them.
		Immutable: true,
		// The largest body any route takes; BodyLimits holds each route to its own.
		BodyLimit: max(cfg.MaxBodyBytes, cfg.MaxImportBytes),
		// Bodies stream, so that an import is read as it arrives rather than
		// held whole; BodyLimits.Limit reads every other body up to its
		// limit. Forms are not parsed ahead either: the import reads its
		// form's file from the stream, and other forms are small bodies.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  30 * time.Second,
		IdleTimeout:                  120 * time.Second,
		ErrorHandler:                 s.answerError,
		Views:                        views,
		// Layouts read the visitor's identity ({{.identity}}) for the sign-in link.
		PassLocalsToViews: true,
		// Per-IP limits need the client's address, not the proxy's.
		ProxyHeader:             cfg.ProxyHeader,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		EnableIPValidation:      true,
	})
	f.Server().HeaderReceived = limits.HeaderReceived
	f.Server().ExpectHandler = limits.ExpectContinue
	// WebSocket handshakes hijack their connection and hand it to melody
	// on a goroutine of its own (app/socket, bridge.go): fasthttp must not
	// close it when the hijack handler returns.
	f.Server().KeepHijackedConns = true
	// limits first, as fasthttp's own 413s came before any handler.
	f.Use(limits.Limit)
	f.Use(middleware.Measure(s.answerError, deps.Metrics)) // next: it sees every other answer, panics included
	f.Use(recover.New(recover.Config{EnableStackTrace: true}))
	f.Get("/healthz", s.healthz) // before request logging: probes come every few seconds
	f.Get("/readyz", s.readyz)
	if cfg.MetricsHere { // likewise: scrapes come every few seconds
		f.Get(metrics.Path, adaptor.HTTPHandler(deps.Metrics.Handler()))
	}
	f.Use(middleware.LogRequests(s.log))
	f.Use(middleware.SecurityHeaders(cfg.AllowedOrigins))
	f.Use(middleware.WriteLimit(cfg.RESTWrites, cfg.RESTWindow))
	s.routes(f, limits)
	return &Server{fiber: f}, nil
}

// routes is the route table.
func (s *server) routes(f *fiber.App, limits *middleware.BodyLimits) {
	a, o, p := s.deps.Auth, s.deps.Origins, s.pages
	mod := middleware.RequireRole(auth.RoleModerator)
	if s.assets != nil {
		f.Use("/assets", s.assets.Serve)
	}

	f.Get("/ws", o.SocketOrigin, a.IdentifySocket, s.deps.Sockets.HandleViewer)
	f.Get("/ws/admin", o.SocketOrigin, a.IdentifySocket, mod, s.deps.Sockets.HandleModerator)
	f.Use("/ws", notFound)

	api := f.Group("/api", o.SameSiteWrites, a.IdentifyReads, middleware.RequireIdentity)
	api.Get("/rooms", s.listRooms)
	api.Post("/rooms", mod, s.createRoom)
	api.Get("/rooms/:id", s.getRoom)
	api.Get("/rooms/:id/comments", s.listComments)
	api.Post("/rooms/:id/comments", s.postComment)
	api.Post("/rooms/:id/like", a.RequireParticipant, s.likeRoom)
	api.Post("/comments/:id/like", a.RequireParticipant, s.likeComment)
	api.Delete("/comments/:id/like", a.RequireParticipant, s.unlikeComment)
	api.Post("/comments/:id/report", a.RequireParticipant, s.reportComment)
	api.Post("/comments/:id/recall", a.RequireParticipant, s.recallComment)
	api.Get("/rooms/:id/liked", middleware.NoStore, s.getLiked)
	api.Get("/rooms/:id/heat", s.getHeat)
	api.Get("/rooms/:id/modes", s.getModes)
	api.Get("/rooms/:id/segments/:n", s.getSegment)
	api.Get("/rooms/:id/segments/:n/own", s.getOwnSegment)
	api.Get("/rooms/:id/comments.xml", s.exportRoom(exportXML))
	api.Get("/rooms/:id/comments.json", s.exportRoom(exportJSON))
	api.Post("/rooms/:id/import", middleware.NoStore, mod, s.postImport)
	api.Post("/logout", middleware.NoStore, s.logout)
	api.Post("/logout/everywhere", middleware.NoStore, s.logoutEverywhere)
	limits.Upload(fiber.MethodPost, "/api/rooms/:id/import", s.cfg.MaxImportBytes, importReadTimeout, isModerator)
	admin := api.Group("/admin", middleware.NoStore, mod)
	s.adminRoutes(admin)
	s.liveRoutes(admin)
	api.Use(notFound)

	s.dplayerRoutes(f.Group("/dplayer", dplayerCORS, s.dplayerAnswers))

	page := f.Group("/", p.Errors, o.SameSiteWrites, a.Identify)
	page.Get("/login", p.Login)
	page.Post("/login", p.SignIn)
	page.Get("/logout", p.Logout)
	page.Post("/logout", p.SignOut)
	page.Get("/admin", middleware.NoStore, pages.AdminRefusals, mod, p.Admin)
	page.Get("/", middleware.SignInPage, p.Index)
	page.Post("/rooms", middleware.SignInPage, p.CreateRoom)
	page.Get("/rooms/:id", middleware.SignInPage, p.Room)
	page.Get("/rooms/:id/replay", middleware.SignInPage, p.Replay)
	page.Use(pages.NotFound)
}

// isModerator reports whether id may do what moderators do.
func isModerator(id auth.Identity) bool { return !id.Guest && id.Has(auth.RoleModerator) }

// notFound answers paths that no route serves, in the JSON error shape.
func notFound(c *fiber.Ctx) error {
	return errs.New(errs.NotFound, "no route for %s %s", c.Method(), c.Path())
}

// answerError turns any error from a handler into the JSON error shape,
// with the status that belongs to its code: the one place where errors
// become HTTP answers (pages.Errors renders them as pages first, and
// DPlayer's routes in DPlayer's shape).
func (s *server) answerError(c *fiber.Ctx, err error) error {
	e := middleware.ErrorOf(err)
	if e.Code == errs.Internal {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	return c.Status(e.Code.Status()).JSON(fiber.Map{"error": protocol.BodyOf(e)})
}
