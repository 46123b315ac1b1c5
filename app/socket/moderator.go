package socket

import (
	"context"
	"sync"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/moderation"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// moderatorSocket is a moderator's connection, GET /ws/admin: the live
// feed of moderation.Feed, and actions answered with acks. Its identity can
// change (an auth frame) and is checked before every frame the socket
// sends and every frame pushed to it, since roles and sessions change.
type moderatorSocket struct {
	conn

	mu      sync.Mutex
	holding bool // a snapshot is being read: feed frames wait in pending
	pending [][]byte
	refused bool // the socket was told to go; nothing more is sent to it

	// recheck re-reads the session every SessionRecheck even when the
	// moderator sends nothing: the feed carries addresses, and must stop
	// soon after the session ends on another node too.
	recheckMu    sync.Mutex
	recheckTimer *time.Timer
	recheckEnded bool // the socket closed: no new timers
}

var _ moderation.Subscriber = (*moderatorSocket)(nil)

func (m *moderatorSocket) connected() {
	m.srv.deps.Moderation.Feed().Connect(m)
	m.armRecheck()
}

func (m *moderatorSocket) disconnected() {
	m.recheckMu.Lock()
	m.recheckEnded = true
	if m.recheckTimer != nil {
		m.recheckTimer.Stop()
	}
	m.recheckMu.Unlock()
	m.srv.deps.Moderation.Feed().Disconnect(m)
}

// armRecheck schedules the next check of the socket's session, until the
// socket closes or is revoked.
func (m *moderatorSocket) armRecheck() {
	every := m.srv.cfg.SessionRecheck
	m.recheckMu.Lock()
	defer m.recheckMu.Unlock()
	if m.recheckEnded || every <= 0 {
		return
	}
	m.recheckTimer = time.AfterFunc(every, func() {
		if err := m.recheck(""); err == nil || errs.CodeOf(err) != errs.Unauthorized {
			m.armRecheck()
		}
	})
}

// Identity implements moderation.Subscriber.
func (m *moderatorSocket) Identity() auth.Identity { return m.identity() }

// check reports whether the socket's moderator may still use it, and
// refuses the socket (error frame echoing ref, close 1008) when not.
func (m *moderatorSocket) check(ref string) bool {
	if err := m.recheck(ref); err != nil {
		if errs.CodeOf(err) != errs.Unauthorized { // revoked ones were told
			m.Send(modproto.EncodeAck(ref, nil, err))
		}
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.allowedLocked(time.Now()); err != nil {
		m.refuseLocked(ref, err)
		return false
	}
	return !m.refused
}

func (m *moderatorSocket) allowedLocked(now time.Time) error {
	m.auth.mu.Lock()
	id, exp := m.auth.tok.Identity, m.auth.tok.Expires
	m.auth.mu.Unlock()
	switch {
	case id.Guest || id.ID == "":
		return errs.New(errs.Unauthorized, "sign in as a %s to do this", auth.RoleModerator)
	case !exp.IsZero() && !now.Before(exp):
		return errs.New(errs.Unauthorized, "your session expired: sign in again")
	case !id.Has(auth.RoleModerator):
		return errs.New(errs.Forbidden, "this needs the %s role", auth.RoleModerator)
	}
	return nil
}

// Hold implements moderation.Subscriber: feed frames wait until Release.
func (m *moderatorSocket) Hold() {
	m.mu.Lock()
	m.holding = true
	m.mu.Unlock()
}

// Release implements moderation.Subscriber: it sends first, then the
// frames that waited, and ends holding.
func (m *moderatorSocket) Release(first []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.refused {
		m.Send(first)
		for _, f := range m.pending {
			m.Send(f)
		}
	}
	m.pending, m.holding = nil, false
}

// Push implements moderation.Subscriber: it sends feed frames, or refuses
// the socket if its moderator lost the right to them.
func (m *moderatorSocket) Push(frames ...[]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refused || m.revoked() {
		return
	}
	if err := m.allowedLocked(time.Now()); err != nil {
		m.refuseLocked("", err)
		return
	}
	if m.holding {
		m.pending = append(m.pending, frames...)
		return
	}
	for _, f := range frames {
		m.Send(f)
	}
}

// refuseLocked tells a moderator's socket why it may not go on, and closes
// it, once. Called with m.mu held.
func (m *moderatorSocket) refuseLocked(ref string, err error) {
	if m.refused {
		return
	}
	m.refused = true
	m.sendError(ref, err)
	m.close(closePolicy, string(errs.CodeOf(err)))
}

// message runs one frame. Every frame but auth is refused, and the socket
// closed (1008), once the moderator's role or session is gone.
func (m *moderatorSocket) message(data []byte) {
	in, err := modproto.Decode(data)
	if err != nil {
		m.sendError(in.Ref, err)
		return
	}
	if in.Type == modproto.TypeAuth {
		m.authenticate(in)
		return
	}
	if !m.check(in.Ref) {
		return
	}
	switch in.Type {
	case protocol.TypePing:
		m.Send(protocol.EncodePong(in.Ref))
	case modproto.TypeRefresh:
		m.srv.deps.Moderation.Feed().Refresh(m)
	default:
		ctx, cancel := context.WithTimeout(context.Background(), moderation.ActionTimeout)
		defer cancel()
		result, err := m.act(ctx, in)
		m.Send(modproto.EncodeAck(in.Ref, result, err))
	}
}

// act carries out an action frame.
func (m *moderatorSocket) act(ctx context.Context, in modproto.Inbound) (any, error) {
	mod, by := m.srv.deps.Moderation, m.identity()
	switch in.Type {
	case modproto.TypeApprove, modproto.TypeReject, modproto.TypeDelete:
		changed, err := mod.Decide(ctx, by, store.Decision(in.Type), in.IDs)
		return modproto.DecisionResult{Comments: changed}, err
	case modproto.TypeBan:
		if in.Ban == nil {
			return nil, errs.New(errs.Invalid, "ban is required")
		}
		return mod.Ban(ctx, by, *in.Ban)
	case modproto.TypeUnban:
		return mod.Unban(ctx, by, in.ID)
	case modproto.TypeReload:
		err := mod.Reload(ctx)
		return mod.Stats(), err
	}
	return nil, errs.New(errs.BadRequest, "unknown frame type %q", in.Type)
}

// authenticate replaces the socket's session with the token's. The new
// identity is checked on the next frame, like a replaced cookie on the
// next request; its expiry and sign-out reach this socket too.
func (m *moderatorSocket) authenticate(in modproto.Inbound) {
	ctx, cancel := context.WithTimeout(context.Background(), recheckTimeout)
	defer cancel()
	t, err := m.srv.deps.Auth.Verify(ctx, in.Token)
	if err != nil {
		m.Send(modproto.EncodeAck(in.Ref, nil, errs.New(errs.Unauthorized, "the token is invalid or expired")))
		return
	}
	// The ack goes first: a token that has already expired then ends the
	// session right after it, in that order, rather than racing it.
	m.Send(modproto.EncodeAck(in.Ref, t.Identity.User(), nil))
	m.setCredentials(t)
}
