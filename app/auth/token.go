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

// Issue returns a token for id that expires after ttl.
func (s *Signer) Issue(id Identity, ttl time.Duration) (string, error) {
	now := time.Now()
	claims := Claims{
		Name:  id.Name,
		Roles: id.Roles,
		Guest: id.Guest,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
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

// Verify checks token and returns its identity and expiry. Beyond the
// signature, algorithm and expiry it requires sub and name, known roles, and
// no role above viewer on a guest token.
func (s *Signer) Verify(token string) (Identity, time.Time, error) {
	if len(token) > MaxTokenLen {
		return Identity{}, time.Time{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, MaxTokenLen)
	}
	var c Claims
	_, err := s.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.secret, nil })
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Identity{}, time.Time{}, fmt.Errorf("%w: %w", ErrInvalidToken, ErrExpired)
	}
	if err != nil {
		return Identity{}, time.Time{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.Name == "" {
		return Identity{}, time.Time{}, fmt.Errorf("%w: sub and name are required", ErrInvalidToken)
	}
	for _, r := range c.Roles {
		if !ValidRole(r) || (c.Guest && r != RoleViewer) {
			return Identity{}, time.Time{}, fmt.Errorf("%w: role %q is not allowed here", ErrInvalidToken, r)
		}
	}
	return Identity{ID: c.Subject, Name: c.Name, Roles: c.Roles, Guest: c.Guest}, c.ExpiresAt.Time, nil
}
