package app

import (
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// roomView is a room as the API shows it: stored fields plus live viewers.
type roomView struct {
	store.Room
	Viewers int `json:"viewers"`
}

func (a *App) view(r store.Room) roomView { return roomView{Room: r, Viewers: a.hub.Viewers(r.ID)} }

func (a *App) listRooms(c *fiber.Ctx) error {
	rooms, err := a.store.Rooms(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]roomView, len(rooms))
	for i, r := range rooms {
		out[i] = a.view(r)
	}
	return c.JSON(fiber.Map{"rooms": out})
}

func (a *App) getRoom(c *fiber.Ctx) error {
	r, err := a.store.Room(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.view(r))
}

// newRoom is the body of POST /api/rooms.
type newRoom struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	VideoURL string `json:"video_url"`
	Kind     string `json:"kind"`
}

const (
	maxTitleRunes = 200
	maxURLBytes   = 2048
)

// validate normalises the request and names the first bad field.
func (n *newRoom) validate() error {
	if err := protocol.CheckRoomID(n.ID); err != nil {
		return err
	}
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		n.Title = n.ID
	}
	if utf8.RuneCountInString(n.Title) > maxTitleRunes || strings.ContainsFunc(n.Title, unicode.IsControl) {
		return errs.New(errs.Invalid, "title must be at most %d characters, without control characters", maxTitleRunes)
	}
	n.VideoURL = strings.TrimSpace(n.VideoURL)
	if n.VideoURL != "" && !validVideoURL(n.VideoURL) {
		return errs.New(errs.Invalid, "video_url must be an http(s) URL or a path starting with /")
	}
	switch n.Kind {
	case "":
		n.Kind = store.KindVOD
	case store.KindVOD, store.KindLive:
	default:
		return errs.New(errs.Invalid, "kind must be vod or live")
	}
	return nil
}

// validVideoURL accepts absolute http(s) URLs and same-site paths, never
// javascript: or data: URLs, since pages put it in a <video src>.
func validVideoURL(s string) bool {
	if len(s) > maxURLBytes || strings.ContainsFunc(s, unicode.IsControl) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//")
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (a *App) createRoom(c *fiber.Ctx) error {
	var req newRoom
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := a.addRoom(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.view(r))
}

// addRoom validates a new room and stores it: the API and the form on / share it.
func (a *App) addRoom(ctx context.Context, req newRoom) (store.Room, error) {
	if err := req.validate(); err != nil {
		return store.Room{}, err
	}
	return a.store.CreateRoom(ctx, store.Room{ID: req.ID, Title: req.Title, VideoURL: req.VideoURL, Kind: req.Kind})
}
