package moderation

import (
	"context"
	"fmt"
	"strings"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on room modes.
const (
	maxSlowSeconds  = 3600
	maxSlow         = maxSlowSeconds * 1e9 // as a time.Duration
	maxUniqueWindow = 1000
	maxDelaySeconds = 300
)

// Announcer tells a room's viewers, on every node, of its modes (hub.Hub).
type Announcer interface {
	PublishModes(ctx context.Context, m protocol.Modes)
}

// errNoLive answers the live tools on a server built without their store.
var errNoLive = errs.New(errs.Unavailable, "the live moderation tools are not set up on this server")

// Modes returns a room's modes, as this node enforces them.
func (s *Service) Modes(ctx context.Context, room string) store.RoomModes {
	if s.live == nil {
		return store.RoomModes{Room: room}
	}
	return s.live.modesOf(ctx, room)
}

// ModesFrame is the modes frame that tells viewers of m.
func ModesFrame(m store.RoomModes) protocol.Modes {
	return protocol.Modes{Type: protocol.TypeModes, Room: m.Room, SlowSeconds: m.SlowSeconds, UniqueWindow: m.UniqueWindow,
		SignedInOnly: m.SignedInOnly, DelaySeconds: m.DelaySeconds, Emergency: m.Emergency}
}

// SetModes changes some of a room's modes, stores them with an audit
// entry, and tells the room's viewers.
func (s *Service) SetModes(ctx context.Context, by auth.Identity, req modproto.ModesRequest) (store.RoomModes, error) {
	if s.live == nil {
		return store.RoomModes{}, errNoLive
	}
	if err := protocol.CheckRoomID(req.Room); err != nil {
		return store.RoomModes{}, err
	}
	was, err := s.deps.Live.RoomModes(ctx, req.Room)
	if err != nil {
		return was, err
	}
	m := was
	setInt := func(name string, v *int, hi int, dst *int) error {
		if v == nil {
			return nil
		}
		if *v < 0 || *v > hi {
			return errs.New(errs.Invalid, "%s must be 0 (off) to %d, got %d", name, hi, *v)
		}
		*dst = *v
		return nil
	}
	if err := setInt("slow_seconds", req.SlowSeconds, maxSlowSeconds, &m.SlowSeconds); err != nil {
		return was, err
	}
	if err := setInt("unique_window", req.UniqueWindow, maxUniqueWindow, &m.UniqueWindow); err != nil {
		return was, err
	}
	if err := setInt("delay_seconds", req.DelaySeconds, maxDelaySeconds, &m.DelaySeconds); err != nil {
		return was, err
	}
	if req.SignedInOnly != nil {
		m.SignedInOnly = *req.SignedInOnly
	}
	if req.Emergency != nil {
		m.Emergency = *req.Emergency
	}
	m, err = s.deps.Live.SetRoomModes(ctx, m, store.AuditEntry{By: by.ID, Room: m.Room, Action: "modes", Detail: modesChange(was, m)})
	if err != nil {
		return m, err
	}
	s.liveChanged()
	s.log.Info("room modes changed", "moderator", by.ID, "room", m.Room, "change", modesChange(was, m))
	if s.deps.Announce != nil {
		s.deps.Announce.PublishModes(ctx, ModesFrame(m))
	}
	return m, nil
}

// modesChange says in words what changed from was to now ("slow mode 30 s → off").
func modesChange(was, now store.RoomModes) string {
	secs := func(n int) string {
		if n == 0 {
			return "off"
		}
		return fmt.Sprintf("%d s", n)
	}
	count := func(n int) string {
		if n == 0 {
			return "off"
		}
		return fmt.Sprintf("last %d", n)
	}
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	var parts []string
	add := func(name, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %s → %s", name, a, b))
		}
	}
	add("slow mode", secs(was.SlowSeconds), secs(now.SlowSeconds))
	add("unique chat", count(was.UniqueWindow), count(now.UniqueWindow))
	add("signed-in only", onOff(was.SignedInOnly), onOff(now.SignedInOnly))
	add("chat delay", secs(was.DelaySeconds), secs(now.DelaySeconds))
	add("emergency mode", onOff(was.Emergency), onOff(now.Emergency))
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

// liveChanged drops this node's cache and tells the moderators' pages,
// here and on the other nodes (Deps.OnLive).
func (s *Service) liveChanged() {
	s.PeerLiveChanged()
	if s.deps.OnLive != nil {
		s.deps.OnLive()
	}
}

// LiveState returns the room modes, the blocked terms in force and the
// newest user actions, as the moderators' pages show them.
func (s *Service) LiveState(ctx context.Context) (modproto.Live, error) {
	out := modproto.Live{Type: modproto.TypeLive, Modes: []store.RoomModes{}, Terms: []store.BlockedTerm{}, Actions: []store.UserAction{}}
	if s.live == nil {
		return out, nil
	}
	var err error
	if out.Modes, err = s.deps.Live.AllRoomModes(ctx); err != nil {
		return out, err
	}
	if out.Terms, err = s.deps.Live.ActiveTerms(ctx, s.live.now()); err != nil {
		return out, err
	}
	out.Actions, err = s.deps.Live.UserActions(ctx, recentActions)
	return out, err
}

// AuditLog returns the audit log, newest first.
func (s *Service) AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	if s.live == nil {
		return nil, errNoLive
	}
	return s.deps.Live.AuditLog(ctx, q)
}

// audit writes an entry for a change stored elsewhere (bans); a failure is
// logged, as the change itself stands.
func (s *Service) audit(ctx context.Context, e store.AuditEntry) {
	if s.live == nil {
		return
	}
	if err := s.deps.Live.Audit(ctx, e); err != nil {
		s.log.Error("writing the audit log failed", "action", e.Action, "err", err)
	}
}
