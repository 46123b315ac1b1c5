package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Version is the version of the request format, sent in every request.
const Version = 1

// The headers that sign a request.
const (
	// HeaderTimestamp is the request's time, in Unix seconds; it is part
	// of the signed text, so a receiver can refuse old, replayed requests.
	HeaderTimestamp = "X-Danmaku-Timestamp"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed with the
	// secret, of the timestamp, a dot and the body.
	HeaderSignature = "X-Danmaku-Signature"
)

// Request is the JSON body the plugin POSTs.
type Request struct {
	Version int     `json:"version"`
	Comment Comment `json:"comment"`
}

// Comment is a comment in a request.
type Comment struct {
	Room     string            `json:"room"`
	User     User              `json:"user"`
	IP       string            `json:"ip,omitempty"` // the client address, when known
	Text     string            `json:"text"`
	Time     float64           `json:"time"` // seconds into the video
	Mode     string            `json:"mode"`
	Color    string            `json:"color"`
	Size     string            `json:"size"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// User is a comment's author in a request.
type User struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Response is the JSON answer the plugin expects.
type Response struct {
	Action string `json:"action"` // allow, rewrite, reject, hold or shadow
	Reason string `json:"reason,omitempty"`
	// Comment holds a rewrite's changes; fields left out keep their value.
	Comment *Rewrite `json:"comment,omitempty"`
}

// Rewrite is what a rewrite changes; nil fields stay as they were, and
// Metadata entries are added or replaced.
type Rewrite struct {
	Text     *string           `json:"text,omitempty"`
	Time     *float64          `json:"time,omitempty"`
	Mode     *string           `json:"mode,omitempty"`
	Color    *string           `json:"color,omitempty"`
	Size     *string           `json:"size,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Sign returns the HeaderSignature value for body sent at timestamp (Unix
// seconds) with secret.
func Sign(secret []byte, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(strconv.AppendInt(nil, timestamp, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (a HeaderSignature value) signs body
// sent at timestamp (a HeaderTimestamp value) with secret, in constant
// time. Receivers should also refuse timestamps far from their clock.
func Verify(secret []byte, timestamp string, body []byte, signature string) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || !strings.HasPrefix(signature, "sha256=") {
		return false
	}
	return hmac.Equal([]byte(signature), []byte(Sign(secret, ts, body)))
}

// maxRequestBytes bounds what ReadRequest reads: a comment is far smaller.
const maxRequestBytes = 1 << 20

// ReadRequest is the receiving side for Go receivers: it reads r's body,
// checks its signature with secret, and decodes the comment. A false
// signature or a malformed body is an error; answer it with 401 or 400.
func ReadRequest(secret []byte, r *http.Request) (Request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		return Request{}, fmt.Errorf("webhook: reading the request: %w", err)
	}
	if !Verify(secret, r.Header.Get(HeaderTimestamp), body, r.Header.Get(HeaderSignature)) {
		return Request{}, ErrBadSignature
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		return Request{}, fmt.Errorf("webhook: decoding the request: %w", err)
	}
	return req, nil
}

// ErrBadSignature is ReadRequest's error for a request not signed with the secret.
var ErrBadSignature = errors.New("webhook: the request's signature does not match")
