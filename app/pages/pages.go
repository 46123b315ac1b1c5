// Package pages serves the HTML pages (rooms, the player, replay, sign-in,
// moderation) from the templates, and the asset tree they load. Its
// handlers are mounted by the route table in package httpapi, each behind
// Errors, so a failing page answers with an HTML page, never JSON.
package pages

import (
	"context"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/rooms"
	"github.com/danmaku/danmaku/app/store"
)

// Spans tells when a room's comments start and end, for replay.
type Spans interface {
	CommentSpan(ctx context.Context, room string) (store.CommentSpan, error)
}

// Names records the names users take, refusing look-alikes (see store.Users).
type Names interface {
	ClaimName(ctx context.Context, c store.NameClaim) error
}

// Deps are the pages' dependencies.
type Deps struct {
	Rooms   rooms.Directory
	Spans   Spans
	Names   Names
	Auth    *middleware.Auth
	Origins middleware.Origins
	MaxText int // the server's comment limit, for the send bar
}

// Pages are the page handlers.
type Pages struct {
	deps Deps
	log  *slog.Logger
}

// New returns the page handlers.
func New(deps Deps, log *slog.Logger) *Pages { return &Pages{deps: deps, log: log} }

// Views loads the templates of fsys (*.html, with partials), with the
// helpers they call.
func Views(fsys fs.FS, assets *Assets) (fiber.Views, error) {
	engine := html.NewFileSystem(http.FS(fsys), ".html")
	engine.AddFuncMap(template.FuncMap{
		// asset gives the versioned URL of a file under assets/.
		"asset": assets.URL,
		// clock shows an instant as UTC date and time to the second.
		"clock": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	})
	if err := engine.Load(); err != nil {
		return nil, err
	}
	return engine, nil
}

// render writes a page in the shared layout. Pages are never cached without
// revalidation: they name the current asset version.
func render(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Status(status).Render(name, data, "layout")
}

// Errors answers a page request that failed with an HTML page carrying the
// error's status and message (never an internal cause: errs.From hides
// it). Without templates it leaves the error to the server's JSON answer.
func (p *Pages) Errors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil || c.App().Config().Views == nil {
		return err
	}
	e := middleware.ErrorOf(err)
	if e.Code == errs.Internal {
		p.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	status := e.Code.Status()
	return render(c, status, "error", fiber.Map{
		"Title": http.StatusText(status), "Status": status, "Code": string(e.Code), "Message": e.Message,
	})
}

// NotFound answers page paths that no route serves.
func NotFound(c *fiber.Ctx) error {
	return errs.New(errs.NotFound, "no route for %s %s", c.Method(), c.Path())
}

// canCreateRooms reports whether id may create rooms: moderators only, so
// that visitors cannot make rooms without bound (POST /api/rooms agrees).
func canCreateRooms(id auth.Identity) bool { return !id.Guest && id.Has(auth.RoleModerator) }
