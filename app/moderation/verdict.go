package moderation

import (
	"context"
	"net/netip"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Sender is who submits a comment or joins a room, from where, and through
// which API.
type Sender struct {
	auth.Identity
	IP  netip.Addr // the client's address; invalid when unknown
	Via string     // which API, for plugins (metadata "via") and metrics
}

// The APIs comments come through, as plugins see them in metadata "via".
const (
	ViaWS      = "ws"
	ViaREST    = "rest"
	ViaDPlayer = "dplayer"
	ViaImport  = "import"
)

// Verdict is how a comment that moderation let in is stored.
type Verdict struct {
	Status store.Status
	Reason string // for the sender of a held comment
	Note   string // for moderators: "plugin: reason"
	Plugin string // the plugin that decided, if one did (for metrics)
	Failed bool   // that plugin failed (closed), or rewrote the comment into an invalid one
	// Delay, for a comment the room's chat delay holds: how long until it
	// is released (see Service.ReleaseLater).
	Delay time.Duration

	res plugins.Result // the chain's result, to tell its observers of the commit
}

// Committed tells the plugins that observe outcomes (plugins.Observer)
// that the comment is stored; ingest calls it once the write commits.
func (v Verdict) Committed(ctx context.Context) { v.res.Committed(ctx) }

// Moderate runs the room's chain on d. It returns the status to store d
// with, having applied the chain's rewrites to d, or a Rejected error with
// the reason to show the sender.
func (s *Service) Moderate(ctx context.Context, room string, from Sender, d *protocol.Draft) (Verdict, error) {
	if s.live == nil {
		return s.moderate(ctx, room, from, d)
	}
	sc, err := s.live.screen(ctx, room, from, d)
	if err != nil {
		return Verdict{}, err
	}
	v, err := s.moderate(ctx, room, from, d)
	if err != nil {
		return v, err
	}
	s.live.accepted(ctx, sc)
	return sc.apply(v), nil
}

// moderate runs the room's plugin chain on d.
func (s *Service) moderate(ctx context.Context, room string, from Sender, d *protocol.Draft) (Verdict, error) {
	res := s.pipeline.Moderate(ctx, pluginComment(room, from, *d))
	if res.Err != nil {
		s.log.Warn("moderation failed closed", "plugin", res.Plugin, "room", room, "user", from.ID, "err", res.Err)
	}
	if res.Action == plugins.ActionReject {
		return Verdict{Plugin: res.Plugin, Failed: res.Err != nil}, errs.New(errs.Rejected, "%s", or(res.Reason, "this comment was not accepted"))
	}
	if res.Action != plugins.ActionAllow {
		if err := s.rewrite(d, res); err != nil {
			return Verdict{Plugin: res.Plugin, Failed: true}, err
		}
	}
	note := res.Plugin
	if res.Reason != "" {
		note += ": " + res.Reason
	}
	switch res.Action {
	case plugins.ActionHold:
		return Verdict{Status: store.Held, Reason: or(res.Reason, "this comment waits for a moderator"), Note: note, Plugin: res.Plugin, res: res}, nil
	case plugins.ActionShadow:
		return Verdict{Status: store.Shadowed, Note: note, Plugin: res.Plugin, res: res}, nil
	}
	return Verdict{Status: store.Visible, res: res}, nil
}

// rewrite takes the chain's version of the comment into d, validated again:
// a plugin must not be able to store what a client could not send.
func (s *Service) rewrite(d *protocol.Draft, res plugins.Result) error {
	c := res.Comment
	t := c.Time
	in := protocol.CommentInput{Text: c.Text, Time: &t, Mode: string(c.Mode), Color: c.Color, Size: string(c.Size)}
	next, err := s.deps.Limits.Validate(in)
	if err != nil {
		s.log.Error("a moderation plugin's rewrite is not a valid comment", "plugin", res.Plugin, "err", err)
		return errs.New(errs.Rejected, "this comment could not be checked right now, please try again")
	}
	if c.Time == d.Time.Float() {
		next.Time = d.Time // no float round trip for an unchanged time
	}
	*d = next
	return nil
}

// Admit asks the room's join hooks whether from may enter; a refusal is
// Forbidden with the plugin's reason.
func (s *Service) Admit(ctx context.Context, room string, from Sender) error {
	jr := s.pipeline.Join(ctx, plugins.Join{Room: room, User: pluginUser(from.Identity), IP: from.IP})
	if jr.Allowed {
		return nil
	}
	if jr.Err != nil {
		s.log.Warn("join check failed closed", "plugin", jr.Plugin, "room", room, "user", from.ID, "err", jr.Err)
	}
	return errs.New(errs.Forbidden, "%s", or(jr.Reason, "you may not join this room"))
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// pluginComment is d as plugins see it.
func pluginComment(room string, from Sender, d protocol.Draft) plugins.Comment {
	return plugins.Comment{
		Room:     room,
		User:     pluginUser(from.Identity),
		IP:       from.IP,
		Text:     d.Text,
		Time:     d.Time.Float(),
		Mode:     plugins.Mode(d.Mode),
		Color:    d.Color,
		Size:     plugins.Size(d.Size),
		Metadata: map[string]string{"via": from.Via}, // a map per comment: plugins may mutate a clone only, but a buggy one must not race others
	}
}

func pluginUser(id auth.Identity) plugins.User {
	return plugins.User{ID: id.ID, Name: id.Name, Roles: id.Roles}
}
