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
// the wrong algorithm, or expired.
var ErrInvalidToken = errors.New("invalid or expired token")

// Verify checks token and returns its identity and expiry.
func (s *Signer) Verify(token string) (Identity, time.Time, error) {
	var c Claims
	_, err := s.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.secret, nil })
	if err != nil {
		return Identity{}, time.Time{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.Name == "" {
		return Identity{}, time.Time{}, fmt.Errorf("%w: sub and name are required", ErrInvalidToken)
	}
	return Identity{ID: c.Subject, Name: c.Name, Roles: c.Roles, Guest: c.Guest}, c.ExpiresAt.Time, nil
}
