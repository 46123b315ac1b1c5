package app

import (
	"encoding/json"
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
// moderator's POST to the import route, -max-body for everything else. The
// body is read before any handler runs, so the credentials (as identify
// takes them: a Bearer header, else the session cookie) are checked here,
// from the headers: no one else can make the server hold a large upload.
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

// requestLimits applies bodyLimit to each request as its headers arrive,
// with time to read an upload.
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
	e := errs.New(errs.TooLarge, "the body is %d bytes, more than the %d this request may send", n, limit)
	body, _ := json.Marshal(fiber.Map{"error": protocol.BodyOf(e)})
	ctx.SetContentType(fiber.MIMEApplicationJSON)
	ctx.SetBody(body)
	return e.Code.Status()
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
