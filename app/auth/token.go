package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the JWT claims of a Danmaku token.
type Claims struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles,omitempty"`
	Guest bool     `json:"guest,omitempty"`
	jwt.RegisteredClaims
}

// Signer issues and verifies HS256 tokens with one secret.
type Signer struct {
	secret []byte
	parser *jwt.Parser
}

// NewSigner returns a Signer for secret.
func NewSigner(secret []byte) *Signer {
	return &Signer{
		secret: secret,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(5*time.Second),
		),
	}
}

// Issue returns a sessionless token for id that expires after ttl (what
// `danmaku token` prints): it stands on its signature and expiry alone,
// and a user's "sign out everywhere" ends it (see Token.Session).
func (s *Signer) Issue(id Identity, ttl time.Duration) (string, error) {
	return s.sign(id, "", time.Now().Add(ttl))
}

// IssueSession returns a token of the server-side session sid for id,
// valid until exp unless the session ends first.
func (s *Signer) IssueSession(id Identity, sid string, exp time.Time) (string, error) {
	if sid == "" {
		return "", errors.New("auth: a session token needs a session id")
	}
	return s.sign(id, sid, exp)
}

func (s *Signer) sign(id Identity, sid string, exp time.Time) (string, error) {
	claims := Claims{
		Name:  id.Name,
		Roles: id.Roles,
		Guest: id.Guest,
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        sid,
			Subject:   id.ID,
			IssuedAt:  jwt.NewNumericDate(time.Now()),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	t, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
	if err != nil {
		return "", fmt.Errorf("auth: signing token: %w", err)
	}
	return t, nil
}

// ErrInvalidToken is returned for any token that is malformed, forged, of
// the wrong algorithm, expired, or carries claims Danmaku does not accept.
var ErrInvalidToken = errors.New("invalid or expired token")

// ErrExpired is returned (wrapped along with ErrInvalidToken) for a token
// that was valid but has expired, so callers can tell the client to get a fresh one.
var ErrExpired = errors.New("token expired")

// MaxTokenLen bounds the tokens Verify parses; real ones are a few hundred bytes.
const MaxTokenLen = 4096

// Token is what a verified token says.
type Token struct {
	Identity Identity
	Expires  time.Time
	IssuedAt time.Time // zero when the token does not say
	// Session is the id of the server-side session the token belongs to
	// (its jti): the token is good only while that session exists. Empty
	// for a sessionless token, which stands on its signature and expiry
	// until its user signs out everywhere.
	Session string
}

// Verify checks token and returns its identity and expiry; see Parse.
func (s *Signer) Verify(token string) (Identity, time.Time, error) {
	t, err := s.Parse(token)
	return t.Identity, t.Expires, err
}

// Parse checks token and returns what it says. Beyond the signature,
// algorithm and expiry it requires sub and name, known roles, and no role
// above viewer on a guest token. Whether its session still exists is the
// caller's to check.
func (s *Signer) Parse(token string) (Token, error) {
	if len(token) > MaxTokenLen {
		return Token{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, MaxTokenLen)
	}
	var c Claims
	_, err := s.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.secret, nil })
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Token{}, fmt.Errorf("%w: %w", ErrInvalidToken, ErrExpired)
	}
	if err != nil {
		return Token{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.Name == "" {
		return Token{}, fmt.Errorf("%w: sub and name are required", ErrInvalidToken)
	}
	for _, r := range c.Roles {
		if !ValidRole(r) || (c.Guest && r != RoleViewer) {
			return Token{}, fmt.Errorf("%w: role %q is not allowed here", ErrInvalidToken, r)
		}
	}
	if len(c.ID) > MaxSessionIDLen {
		return Token{}, fmt.Errorf("%w: session id longer than %d bytes", ErrInvalidToken, MaxSessionIDLen)
	}
	t := Token{
		Identity: Identity{ID: c.Subject, Name: c.Name, Roles: c.Roles, Guest: c.Guest},
		Expires:  c.ExpiresAt.Time,
		Session:  c.ID,
	}
	if c.IssuedAt != nil {
		t.IssuedAt = c.IssuedAt.Time
	}
	return t, nil
}

// MaxSessionIDLen bounds the session id a token may carry; the server's
// own are 26 characters.
const MaxSessionIDLen = 64
