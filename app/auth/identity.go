// Package auth decides who is behind a request: a signed-in user or a guest.
// Identities travel in HS256-signed JWTs, held by browsers in a session cookie.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"slices"

	"github.com/danmaku/danmaku/app/protocol"
)

// Roles a user can hold.
const (
	RoleViewer    = "viewer"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Identity is who is behind a connection or request.
type Identity struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles,omitempty"`
	Guest bool     `json:"guest,omitempty"`
}

// User returns the identity as comment authors are shown.
func (i Identity) User() protocol.User { return protocol.User{ID: i.ID, Name: i.Name} }

// Me returns the identity as the server tells a client who it is.
func (i Identity) Me() protocol.Me {
	return protocol.Me{User: i.User(), Roles: i.Roles, Guest: i.Guest}
}

// Anonymous reports whether the identity is nobody at all: no credentials,
// where guests are not allowed.
func (i Identity) Anonymous() bool { return i.ID == "" }

// GuestPrefix starts every guest id; user ids from tokens never start with it.
const GuestPrefix = "g-"

// Has reports whether the identity holds role. Admins hold every role.
func (i Identity) Has(role string) bool {
	return slices.Contains(i.Roles, role) || slices.Contains(i.Roles, RoleAdmin)
}

// NewGuest returns a fresh guest identity with a random id and a short name
// derived from it, like guest-4f2a.
func NewGuest() Identity {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	id := hex.EncodeToString(b[:])
	return Identity{ID: GuestPrefix + id, Name: "guest-" + id[:4], Roles: []string{RoleViewer}, Guest: true}
}
