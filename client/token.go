package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// token returns the token to connect with: a fresh one from the source,
// else the fixed one ("" for a guest).
func (c *Client) token(ctx context.Context) (string, error) {
	if c.opts.source == nil {
		return c.opts.token, nil
	}
	tok, err := c.opts.source(ctx)
	if err != nil {
		return "", fmt.Errorf("client: token source: %w", err)
	}
	return tok, nil
}

// tokenExpiry reads a JWT's exp claim without checking the signature (the
// server does that): it is only used to refresh the token in time. ok is
// false for a token without a readable exp.
func tokenExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	return time.Unix(int64(*claims.Exp), 0), true
}

// minRefresh keeps a source that hands out nearly expired tokens from
// being called in a tight loop.
const minRefresh = time.Second

// refreshDelay is how long after now to fetch a fresh token for one that
// expires at exp: after three quarters of its remaining life.
func refreshDelay(now, exp time.Time) time.Duration {
	return max(exp.Sub(now)*3/4, minRefresh)
}
