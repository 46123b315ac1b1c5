package pages

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/rooms"
	"github.com/danmaku/danmaku/app/store"
)

// defaultVideoURL prefills the new-room form: the clip every server ships.
const defaultVideoURL = "/assets/video/demo.mp4"

// Index lists the rooms, with the form that creates one.
func (p *Pages) Index(c *fiber.Ctx) error {
	return p.renderIndex(c, fiber.StatusOK, rooms.NewRoom{Kind: store.KindVOD, VideoURL: defaultVideoURL}, "")
}

// renderIndex renders the room list with the form filled from form and,
// after a failed post, the reason it failed.
func (p *Pages) renderIndex(c *fiber.Ctx, status int, form rooms.NewRoom, formError string) error {
	views, err := p.deps.Rooms.List(c.UserContext())
	if err != nil {
		return err
	}
	return render(c, status, "index", fiber.Map{
		"Title": "Rooms", "Rooms": views, "Form": form, "FormError": formError,
		"CanCreate": canCreateRooms(middleware.IdentityOf(c)),
		"TokenHint": p.showTokenHint(c),
	})
}

// CreateRoom handles the new-room form: a plain form post, so it works
// without JavaScript. A bad field shows the form again with the reason and
// what was typed; a new room opens at once.
func (p *Pages) CreateRoom(c *fiber.Ctx) error {
	form := rooms.NewRoom{
		ID:       strings.TrimSpace(c.FormValue("id")),
		Title:    c.FormValue("title"),
		VideoURL: c.FormValue("video_url"),
		Kind:     c.FormValue("kind"),
	}
	if !canCreateRooms(middleware.IdentityOf(c)) {
		return p.renderIndex(c, fiber.StatusForbidden, form, "Only moderators can create rooms: sign in with a moderator token first.")
	}
	r, err := p.deps.Rooms.Create(c.UserContext(), form)
	if err != nil {
		e := errs.From(err)
		if e.Code == errs.Internal {
			return err
		}
		return p.renderIndex(c, e.Code.Status(), form, e.Message)
	}
	return c.Redirect("/rooms/"+url.PathEscape(r.ID), fiber.StatusSeeOther)
}
