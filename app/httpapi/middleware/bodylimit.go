package middleware

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// BodyLimits is the largest body each request may send: Default, or more
// on the upload routes the route table declares with Upload, for the
// callers they allow. Bodies are streamed (fiber.Config.StreamRequestBody),
// so the limit must be known from the headers alone, before routing: the
// server's header hook and its Expect: 100-continue answer ask here, and
// Limit reads every other body, up to its limit, before any handler runs,
// while an upload stays on the connection for its handler to read as it
// goes. No one but an allowed caller can make the server read a large body.
type BodyLimits struct {
	Default int
	Auth    *Auth
	uploads []upload
}

// upload is one route that may take a larger body.
type upload struct {
	method      string
	segments    []string // the route's pattern, split at "/"; ":name" matches any one segment
	limit       int
	readTimeout time.Duration
	may         func(auth.Identity) bool
}

// Upload declares that method requests to the route pattern (Fiber's
// syntax, e.g. /api/rooms/:id/import) may send up to limit bytes, read over
// up to readTimeout, when may allows the caller's credentials.
func (b *BodyLimits) Upload(method, pattern string, limit int, readTimeout time.Duration, may func(auth.Identity) bool) {
	b.uploads = append(b.uploads, upload{method: method, segments: strings.Split(pattern, "/"), limit: limit, readTimeout: readTimeout, may: may})
}

// For returns the request's limit and, for an allowed upload, the upload.
func (b *BodyLimits) For(h *fasthttp.RequestHeader) (int, *upload) {
	for i := range b.uploads {
		u := &b.uploads[i]
		if string(h.Method()) != u.method || !u.matches(string(h.RequestURI())) {
			continue
		}
		id, ok := b.Auth.Peek(string(h.Peek(fiber.HeaderAuthorization)), string(h.Cookie(SessionCookie)))
		if ok && u.may(id) {
			return u.limit, u
		}
	}
	return b.Default, nil
}

// matches reports whether the request URI's path fits the route pattern.
func (u *upload) matches(uri string) bool {
	path, _, _ := strings.Cut(uri, "?")
	segs := strings.Split(path, "/")
	if len(segs) != len(u.segments) {
		return false
	}
	for i, s := range u.segments {
		if strings.HasPrefix(s, ":") {
			if segs[i] == "" {
				return false
			}
		} else if segs[i] != s {
			return false
		}
	}
	return true
}

// HeaderReceived is the server's header hook (fasthttp.Server.HeaderReceived):
// an allowed upload gets its limit and the time to be read. With streamed
// bodies fasthttp reads at most the first few KB of a body before the
// handlers run, whatever its limit: Limit enforces the limits.
func (b *BodyLimits) HeaderReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	limit, u := b.For(h)
	if u == nil {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: limit, ReadTimeout: u.readTimeout}
}

// ExpectContinue answers a client that asks before sending its body
// (Expect: 100-continue, as curl does for large uploads): a body over the
// request's limit is refused with 413 before a byte of it is sent, where
// otherwise the server could only refuse it and close the connection under
// the client's feet.
func (b *BodyLimits) ExpectContinue(ctx *fasthttp.RequestCtx) int {
	limit, _ := b.For(&ctx.Request.Header)
	n := ctx.Request.Header.ContentLength()
	if n <= limit {
		return fasthttp.StatusContinue
	}
	e := errs.From(tooLargeBody(n, limit))
	body, _ := json.Marshal(fiber.Map{"error": protocol.BodyOf(e)})
	ctx.SetContentType(fiber.MIMEApplicationJSON)
	ctx.SetBody(body)
	return e.Code.Status()
}

// Limit reads the body of every request but an allowed upload from its
// stream, up to the request's limit, so that handlers find it whole in
// c.Body() as without streaming. A body over the limit is refused (413) and
// its connection closed, as fasthttp does without streaming. Uploads are
// left streaming for their handler.
func (b *BodyLimits) Limit(c *fiber.Ctx) error {
	req := c.Request()
	limit, u := b.For(&req.Header)
	stream := req.BodyStream()
	if stream == nil {
		return c.Next()
	}
	if n := req.Header.ContentLength(); n > limit {
		c.Context().SetConnectionClose() // the rest of the body would hold it up
		return tooLargeBody(n, limit)
	}
	if u != nil {
		return c.Next()
	}
	body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		c.Context().SetConnectionClose()
		return errs.Wrap(err, errs.BadRequest, "reading the body failed")
	}
	if len(body) > limit {
		c.Context().SetConnectionClose()
		return tooLargeBody(-1, limit)
	}
	req.SetBody(body)
	return c.Next()
}

// tooLargeBody refuses a body of n bytes (-1: unknown, still coming) over
// limit.
func tooLargeBody(n, limit int) error {
	if n < 0 {
		return errs.New(errs.TooLarge, "the body is more than the %d bytes this request may send", limit)
	}
	return errs.New(errs.TooLarge, "the body is %d bytes, more than the %d this request may send", n, limit)
}
