package app

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// Frame types of the moderators' socket, GET /ws/admin (docs/protocol.md).
const (
	modTypeSnapshot = "snapshot" // server: the held queue, recent comments, bans and counters
	modTypeComments = "comments" // server: comments stored or changed since the last frame
	modTypeBans     = "bans"     // server: the bans in force, after a change
	modTypeStats    = "stats"    // server: the plugin counters, when they change
	modTypeAck      = "ack"      // server: the answer to an action
	modTypeAuth     = "auth"     // client: replace the socket's session token
	modTypeRefresh  = "refresh"  // client: send a new snapshot
	modTypeApprove  = "approve"  // client: approve held comments
	modTypeReject   = "reject"   // client: reject held comments
	modTypeDelete   = "delete"   // client: delete comments
	modTypeBan      = "ban"      // client: ban a user or address
	modTypeUnban    = "unban"    // client: lift a ban
	modTypeReload   = "reload"   // client: reload the plugin config
)

type modSnapshot struct {
	Type   string             `json:"type"`
	User   protocol.User      `json:"user"`
	Held   []store.ModComment `json:"held"`
	Recent []store.ModComment `json:"recent"`
	Bans   []store.Ban        `json:"bans"`
	Stats  plugins.Stats      `json:"stats"`
}

type modComments struct {
	Type    string             `json:"type"`
	Items   []store.ModComment `json:"items"`
	Dropped int                `json:"dropped,omitempty"` // comments left out of the feed; refresh to see them
}

type modBans struct {
	Type string      `json:"type"`
	Bans []store.Ban `json:"bans"`
}

type modStats struct {
	Type  string        `json:"type"`
	Stats plugins.Stats `json:"stats"`
}

type modAck struct {
	Type   string              `json:"type"`
	Ref    string              `json:"ref,omitempty"`
	OK     bool                `json:"ok"`
	Result any                 `json:"result,omitempty"`
	Error  *protocol.ErrorBody `json:"error,omitempty"`
}

// modInbound is any frame a moderator's socket sends.
type modInbound struct {
	Type  string      `json:"type"`
	Ref   string      `json:"ref,omitempty"`
	IDs   []int64     `json:"ids,omitempty"`   // approve, reject, delete
	ID    int64       `json:"id,omitempty"`    // unban
	Ban   *banRequest `json:"ban,omitempty"`   // ban
	Token string      `json:"token,omitempty"` // auth
}

func encodeMod(frame any) []byte { return protocol.Encode(frame) }

// decodeMod parses a moderator's frame, checking its shape only.
func decodeMod(data []byte) (modInbound, error) {
	var in modInbound
	if !utf8.Valid(data) {
		return in, errs.New(errs.BadRequest, "frame is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil || dec.More() {
		return in, errs.New(errs.BadRequest, "frame must be one JSON object")
	}
	if len(in.Ref) > protocol.MaxRefLen {
		return modInbound{}, errs.New(errs.BadRequest, "ref is longer than %d bytes", protocol.MaxRefLen)
	}
	return in, nil
}

// modMember is the moderator behind a /ws/admin socket. The identity can
// change (an auth frame) and is checked before every frame the socket
// sends and every frame pushed to it, since roles and sessions change.
type modMember struct {
	mu      sync.Mutex
	id      auth.Identity
	expires time.Time // of the session token; zero when unknown
	holding bool      // a snapshot is being read: feed frames wait in pending
	pending [][]byte
	refused bool // the socket was told to go; nothing more is sent to it
}

func (m *modMember) identity() auth.Identity {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.id
}

// check reports whether the socket's moderator may still use it, and
// refuses the socket (error frame echoing ref, close 1008) when not.
func (m *modMember) check(c *client, ref string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.allowedLocked(time.Now()); err != nil {
		m.refuseLocked(c, ref, err)
		return false
	}
	return !m.refused
}

func (m *modMember) allowedLocked(now time.Time) error {
	switch {
	case m.id.Guest || m.id.ID == "":
		return errs.New(errs.Unauthorized, "sign in as a %s to do this", auth.RoleModerator)
	case !m.expires.IsZero() && !now.Before(m.expires):
		return errs.New(errs.Unauthorized, "your session expired: sign in again")
	case !m.id.Has(auth.RoleModerator):
		return errs.New(errs.Forbidden, "this needs the %s role", auth.RoleModerator)
	}
	return nil
}

// hold makes feed frames wait until release.
func (m *modMember) hold() {
	m.mu.Lock()
	m.holding = true
	m.mu.Unlock()
}

// release sends first, then the frames that waited, and ends holding.
func (m *modMember) release(c *client, first []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.refused {
		c.Send(first)
		for _, f := range m.pending {
			c.Send(f)
		}
	}
	m.pending, m.holding = nil, false
}

// push sends feed frames to c, or refuses c if its moderator lost the right to them.
func (m *modMember) push(c *client, frames ...[]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refused {
		return
	}
	if err := m.allowedLocked(time.Now()); err != nil {
		m.refuseLocked(c, "", err)
		return
	}
	if m.holding {
		m.pending = append(m.pending, frames...)
		return
	}
	for _, f := range frames {
		c.Send(f)
	}
}

// refuseLocked tells a moderator's socket why it may not go on, and
// closes it, once. Called with m.mu held.
func (m *modMember) refuseLocked(c *client, ref string, err error) {
	if m.refused {
		return
	}
	m.refused = true
	c.sendError(ref, err)
	c.close(closePolicy, string(errs.CodeOf(err)))
}

// handleModWS checks a moderator's handshake (the route requires the role)
// and hands the connection to melody.
func (a *App) handleModWS(c *fiber.Ctx) error {
	if err := a.checkUpgrade(c); err != nil {
		return err
	}
	cl := a.newClient(c)
	cl.mod = &modMember{id: identityOf(c), expires: expiryOf(c)}
	return a.upgrade(c, cl)
}

// handleMod runs one frame of a moderator's socket. Every frame but auth
// is refused, and the socket closed (1008), once the moderator's role or
// session is gone.
func (c *client) handleMod(data []byte) {
	in, err := decodeMod(data)
	if err != nil {
		c.sendError(in.Ref, err)
		return
	}
	if in.Type == modTypeAuth {
		c.modAuth(in)
		return
	}
	if !c.mod.check(c, in.Ref) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), modActionTimeout)
	defer cancel()
	by := c.mod.identity()
	var result any
	switch in.Type {
	case protocol.TypePing:
		c.Send(encodeMod(struct {
			Type string `json:"type"`
			Ref  string `json:"ref,omitempty"`
		}{protocol.TypePong, in.Ref}))
		return
	case modTypeRefresh:
		c.app.feed.refresh(c)
		return
	case modTypeApprove, modTypeReject, modTypeDelete:
		var changed []store.ModComment
		changed, err = c.app.decide(ctx, by, store.Decision(in.Type), in.IDs)
		result = decisionResult{Comments: changed}
	case modTypeBan:
		if in.Ban == nil {
			err = errs.New(errs.Invalid, "ban is required")
			break
		}
		result, err = c.app.ban(ctx, by, *in.Ban)
	case modTypeUnban:
		result, err = c.app.unban(ctx, by, in.ID)
	case modTypeReload:
		err = c.app.ReloadPlugins(ctx)
		result = c.app.plugins.Stats()
	default:
		err = errs.New(errs.BadRequest, "unknown frame type %q", in.Type)
	}
	c.modAck(in.Ref, result, err)
}

// modAuth replaces the socket's session with the token's. The new identity
// is checked on the next frame, like a replaced cookie on the next request.
func (c *client) modAuth(in modInbound) {
	id, exp, err := c.app.signer.Verify(in.Token)
	if err != nil {
		c.modAck(in.Ref, nil, errs.New(errs.Unauthorized, "the token is invalid or expired"))
		return
	}
	c.mod.mu.Lock()
	c.mod.id, c.mod.expires = id, exp
	c.mod.mu.Unlock()
	c.setIdentity(id, exp) // so expiry and sign-out reach this socket too
	c.modAck(in.Ref, id.User(), nil)
}

func (c *client) modAck(ref string, result any, err error) {
	if err != nil {
		c.Send(encodeMod(modAck{Type: modTypeAck, Ref: ref, Error: protocol.BodyOf(err)}))
		return
	}
	c.Send(encodeMod(modAck{Type: modTypeAck, Ref: ref, OK: true, Result: result}))
}
