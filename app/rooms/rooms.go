// Package rooms lists, shows and creates rooms, each with its live viewer
// count, for the API and the pages alike, and seeds the demo room.
package rooms

import (
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Store is where rooms are kept.
type Store interface {
	Room(ctx context.Context, id string) (store.Room, error)
	Rooms(ctx context.Context) ([]store.Room, error)
	CreateRoom(ctx context.Context, r store.Room) (store.Room, error)
}

// Presence counts the viewers in a room now (see hub.Hub).
type Presence interface {
	Viewers(room string) int
}

// Directory is what the transports ask of rooms; *Service is one.
type Directory interface {
	List(ctx context.Context) ([]View, error)
	Get(ctx context.Context, id string) (View, error)
	Create(ctx context.Context, req NewRoom) (View, error)
}

var _ Directory = (*Service)(nil)

// Service serves rooms.
type Service struct {
	store    Store
	presence Presence
}

// New returns the rooms service.
func New(s Store, p Presence) *Service { return &Service{store: s, presence: p} }

// View is a room as the API and pages show it: stored fields plus live viewers.
type View struct {
	store.Room
	Viewers int `json:"viewers"`
}

func (s *Service) view(r store.Room) View { return View{Room: r, Viewers: s.presence.Viewers(r.ID)} }

// List returns every room.
func (s *Service) List(ctx context.Context) ([]View, error) {
	rooms, err := s.store.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(rooms))
	for i, r := range rooms {
		out[i] = s.view(r)
	}
	return out, nil
}

// Get returns room id; an unknown room is NotFound.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	r, err := s.store.Room(ctx, id)
	if err != nil {
		return View{}, err
	}
	return s.view(r), nil
}

// Create validates a new room and stores it.
func (s *Service) Create(ctx context.Context, req NewRoom) (View, error) {
	if err := req.validate(); err != nil {
		return View{}, err
	}
	r, err := s.store.CreateRoom(ctx, store.Room{ID: req.ID, Title: req.Title, VideoURL: req.VideoURL, Kind: req.Kind})
	if err != nil {
		return View{}, err
	}
	return s.view(r), nil
}

// NewRoom is a room to create: the body of POST /api/rooms, and the form on /.
type NewRoom struct {
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
func (n *NewRoom) validate() error {
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
