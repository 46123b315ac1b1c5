package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/store"
)

// defaultVideoURL prefills the new-room form: the clip every server ships.
const defaultVideoURL = "/assets/video/demo.mp4"

// render writes a page in the shared layout. Pages are never cached without
// revalidation: they name the current asset version.
func (a *App) render(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Status(status).Render(name, data, "layout")
}

// indexPage lists the rooms, with the form that creates one.
func (a *App) indexPage(c *fiber.Ctx) error {
	return a.renderIndex(c, fiber.StatusOK, newRoom{Kind: store.KindVOD, VideoURL: defaultVideoURL}, "")
}

// renderIndex renders the room list with the form filled from form and,
// after a failed post, the reason it failed.
func (a *App) renderIndex(c *fiber.Ctx, status int, form newRoom, formError string) error {
	rooms, err := a.store.Rooms(c.UserContext())
	if err != nil {
		return err
	}
	views := make([]roomView, len(rooms))
	for i, r := range rooms {
		views[i] = a.view(r)
	}
	return a.render(c, status, "index", fiber.Map{
		"Title": "Rooms", "Rooms": views, "Form": form, "FormError": formError,
		"CanCreate": canCreateRooms(identityOf(c)),
	})
}

// canCreateRooms reports whether id may create rooms: moderators only, so
// that visitors cannot make rooms without bound (POST /api/rooms agrees).
func canCreateRooms(id auth.Identity) bool { return !id.Guest && id.Has(auth.RoleModerator) }

// createRoomPage handles the new-room form: a plain form post, so it works
// without JavaScript. A bad field shows the form again with the reason and
// what was typed; a new room opens at once.
func (a *App) createRoomPage(c *fiber.Ctx) error {
	form := newRoom{
		ID:       strings.TrimSpace(c.FormValue("id")),
		Title:    c.FormValue("title"),
		VideoURL: c.FormValue("video_url"),
		Kind:     c.FormValue("kind"),
	}
	if !canCreateRooms(identityOf(c)) {
		return a.renderIndex(c, fiber.StatusForbidden, form, "Only moderators can create rooms: sign in with a moderator token first.")
	}
	r, err := a.addRoom(c.UserContext(), form)
	if err != nil {
		e := errs.From(err)
		if e.Code == errs.Internal {
			return err
		}
		return a.renderIndex(c, e.Code.Status(), form, e.Message)
	}
	return c.Redirect("/rooms/"+url.PathEscape(r.ID), fiber.StatusSeeOther)
}
