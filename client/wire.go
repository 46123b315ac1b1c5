package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// serverFrame is any frame the server sends on /ws; Type says which
// fields are set (docs/protocol.md, "Server → client").
type serverFrame struct {
	Type      string              `json:"type"`
	Ref       string              `json:"ref"`
	Room      string              `json:"room"`
	OK        bool                `json:"ok"`
	Comment   *protocol.Comment   `json:"comment"`
	Items     []protocol.Comment  `json:"items"`
	Viewers   int                 `json:"viewers"`
	LastSeq   int64               `json:"last_seq"`
	AfterSeq  int64               `json:"after_seq"`
	User      protocol.Me         `json:"user"`
	ExpiresAt protocol.Timestamp  `json:"expires_at"`
	Error     *protocol.ErrorBody `json:"error"`
	Code      errs.Code           `json:"code"`
	Message   string              `json:"message"`
	RoomLikes *int64              `json:"room_likes"`
	Comments  map[string]int64    `json:"comments"`
	Likes     *int64              `json:"likes"`
	IDs       []int64             `json:"ids"`
	// A modes frame's modes.
	SlowSeconds  int  `json:"slow_seconds"`
	UniqueWindow int  `json:"unique_window"`
	SignedInOnly bool `json:"signed_in_only"`
	DelaySeconds int  `json:"delay_seconds"`
	Emergency    bool `json:"emergency"`
}

// failure is the error a failed ack or an error frame carries.
func (f *serverFrame) failure() *Error {
	if f.Error != nil {
		return serverError(f.Error.Code, f.Error.Message)
	}
	return serverError(f.Code, f.Message)
}

// likeCounts converts the likes frame's "id" → count map.
func (f *serverFrame) likeCounts() map[int64]int64 {
	if len(f.Comments) == 0 {
		return nil
	}
	out := make(map[int64]int64, len(f.Comments))
	for k, n := range f.Comments {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			out[id] = n
		}
	}
	return out
}

// handshakeError describes a failed dial: the server's JSON error with
// its HTTP status when it refused the handshake, else the network error.
func handshakeError(url string, resp *http.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("client: dial %s: %w", url, err)
	}
	e := &Error{Code: errs.Internal, Message: resp.Status, Status: resp.StatusCode}
	var body struct {
		Error *protocol.ErrorBody `json:"error"`
	}
	// gorilla keeps the first KiB of a refused handshake's body; ours is JSON.
	if decodeJSON(resp, &body) == nil && body.Error != nil {
		e.Code, e.Message = body.Error.Code, body.Error.Message
	} else if code, ok := codeOfStatus[resp.StatusCode]; ok {
		e.Code = code
	}
	return fmt.Errorf("client: dial %s: %w", url, e)
}

// codeOfStatus names the code of a refusal that came without our JSON
// body (from a proxy, say).
var codeOfStatus = map[int]errs.Code{
	http.StatusBadRequest: errs.BadRequest, http.StatusUnauthorized: errs.Unauthorized,
	http.StatusForbidden: errs.Forbidden, http.StatusNotFound: errs.NotFound,
	http.StatusTooManyRequests: errs.RateLimited, http.StatusServiceUnavailable: errs.Unavailable,
}

// closeError is the *Error of a policy close (1008), whose reason the
// server writes for people; other closes are not refusals.
func closeError(err error) (*Error, bool) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		return nil, false
	}
	code := errs.Unauthorized
	if ce.Text == "rate limit exceeded" {
		code = errs.RateLimited
	}
	return &Error{Code: code, Message: ce.Text, CloseCode: ce.Code}, true
}

// reasonTokenExpired starts the server's close reason when a token has
// run out ("token expired", or "token expired: get a fresh one" for an
// auth frame that brought an expired one).
const reasonTokenExpired = "token expired"

// fatal returns the error that ends the client after a connection ended
// with err, or nil when it should reconnect. Called with c.mu held.
func (c *Client) fatal(err error) error {
	if e, ok := closeError(err); ok {
		if strings.HasPrefix(e.Message, reasonTokenExpired) && c.opts.source != nil {
			return nil // a fresh token from the source will do
		}
		return e
	}
	if !c.opts.reconnect {
		return fmt.Errorf("client: connection lost: %w", err)
	}
	return nil
}

// fatalDial reports whether a failed connection attempt will fail the same
// way however often it is tried: a refused handshake (other than overload)
// or a refused auth frame, unless a token source may bring a better token.
func (c *Client) fatalDial(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == errs.Unauthorized:
		return c.opts.source == nil
	case e.Status == http.StatusBadRequest, e.Status == http.StatusForbidden, e.Status == http.StatusNotFound:
		return true
	}
	return false
}
