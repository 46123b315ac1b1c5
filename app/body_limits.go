package app

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

// importReadTimeout bounds reading an upload to the import route, which
// may be far larger than other requests.
const importReadTimeout = 10 * time.Minute

// bodyLimit is the largest body a request may send: -max-import for a
// moderator's POST to the import route, -max-body for everything else.
// Bodies are streamed (fiber.Config.StreamRequestBody): limitBody reads
// every other body, up to its limit, before any handler runs, while an
// upload stays on the connection for the import to read as it goes. So
// the credentials (as identify takes them: a Bearer header, else the
// session cookie) are checked here, from the headers: no one else can make
// the server read a large upload.
func (a *App) bodyLimit(h *fasthttp.RequestHeader) (limit int, upload bool) {
	if !h.IsPost() || !isImportPath(string(h.RequestURI())) {
		return a.cfg.MaxBodyBytes, false
	}
	token := bearerOf(string(h.Peek(fiber.HeaderAuthorization)))
	if token == "" {
		token = string(h.Cookie(sessionCookie))
	}
	id, _, _, err := a.checkToken(token) // not counted: identify checks the same credentials
	if err != nil || id.Guest || !id.Has(auth.RoleModerator) {
		return a.cfg.MaxBodyBytes, false
	}
	return a.cfg.MaxImportBytes, true
}

// requestLimits gives an upload time to be read as its headers arrive.
// With streamed bodies, fasthttp reads at most the first few KB of a body
// before the handlers run, whatever its limit: limitBody enforces the
// limits.
func (a *App) requestLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	limit, upload := a.bodyLimit(h)
	if !upload {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: limit, ReadTimeout: importReadTimeout}
}

// expectContinue answers a client that asks before sending its body
// (Expect: 100-continue, as curl does for large uploads): a body over the
// request's limit is refused with 413 before a byte of it is sent, where
// otherwise the server could only refuse it and close the connection
// under the client's feet.
func (a *App) expectContinue(ctx *fasthttp.RequestCtx) int {
	limit, _ := a.bodyLimit(&ctx.Request.Header)
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

// limitBody reads the body of every request but an upload (see bodyLimit)
// from its stream, up to the request's limit, so that handlers find it
// whole in c.Body() as without streaming. A body over the limit is refused
// (413) and its connection closed, as fasthttp does without streaming.
// Uploads are left streaming: the import reads them (importBody).
func (a *App) limitBody(c *fiber.Ctx) error {
	req := c.Request()
	limit, upload := a.bodyLimit(&req.Header)
	stream := req.BodyStream()
	if stream == nil {
		return c.Next()
	}
	if n := req.Header.ContentLength(); n > limit {
		c.Context().SetConnectionClose() // the rest of the body would hold it up
		return tooLargeBody(n, limit)
	}
	if upload {
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

// isImportPath matches /api/rooms/ID/import, with or without a query.
func isImportPath(uri string) bool {
	path, _, _ := strings.Cut(uri, "?")
	id, ok := strings.CutPrefix(path, "/api/rooms/")
	if !ok {
		return false
	}
	id, ok = strings.CutSuffix(id, "/import")
	return ok && id != "" && !strings.Contains(id, "/")
}
