package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
)

// importReadTimeout bounds reading an upload to the import route, which
// may be far larger than other requests.
const importReadTimeout = 10 * time.Minute

// postImport serves POST /api/rooms/:id/import (moderators only): a
// Bilibili XML file or JSON export, as the raw body or as the field "file"
// of a multipart form, imported into the room in one transaction.
func (a *App) postImport(c *fiber.Ctx) error {
	room := c.Params("id")
	if _, err := a.store.Room(c.UserContext(), room); err != nil {
		return err
	}
	body, name, err := a.importBody(c)
	if err != nil {
		return err
	}
	defer body.Close()
	rep, err := a.Import(c.UserContext(), body, ImportOptions{Room: room, By: identityOf(c).ID, Source: name})
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

// importBody returns the uploaded file and its name, if the form gave one.
// A raw body may be gzipped (Content-Encoding: gzip); it is inflated as
// the import reads it, up to -max-import bytes like any file, so a small
// body cannot blow up.
func (a *App) importBody(c *fiber.Ctx) (io.ReadCloser, string, error) {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)))
	raw := bytes.NewReader(c.Request().Body()) // not c.Body(), which inflates without a limit
	switch {
	case enc == "gzip" && ct != fiber.MIMEMultipartForm:
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, "", errs.New(errs.BadRequest, "the body is not gzip: %v", err)
		}
		return &capped{r: zr, left: int64(a.cfg.MaxImportBytes), c: zr}, "", nil
	case enc != "" && enc != "identity":
		return nil, "", errs.New(errs.BadRequest, "Content-Encoding %q is not supported: send the file as it is, or a raw body gzipped", interop.Clip(enc))
	case ct != fiber.MIMEMultipartForm:
		return io.NopCloser(raw), "", nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", errs.New(errs.BadRequest, "the form must carry the file in a field named \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", errs.Wrap(err, errs.Internal, "reading the upload failed")
	}
	name := fh.Filename
	if !printable(name) {
		name = ""
	}
	return f, interop.Clip(name), nil
}

// requestLimits raises the body limit to -max-import for a moderator's
// POST to the import route; every other request keeps -max-body. The body
// is read before any handler runs, so the credentials (as identify takes
// them: a Bearer header, else the session cookie) are checked here: no one
// else can make the server hold a large upload.
func (a *App) requestLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if !h.IsPost() || !isImportPath(string(h.RequestURI())) {
		return fasthttp.RequestConfig{}
	}
	token := bearerOf(string(h.Peek(fiber.HeaderAuthorization)))
	if token == "" {
		token = string(h.Cookie(sessionCookie))
	}
	id, _, err := a.verifyToken(token)
	if err != nil || id.Guest || !id.Has(auth.RoleModerator) {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: a.cfg.MaxImportBytes, ReadTimeout: importReadTimeout}
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

// capped reads at most left bytes of r and fails (TooLarge) past them.
type capped struct {
	r    io.Reader
	left int64
	c    io.Closer
}

func (l *capped) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errs.New(errs.TooLarge, "the file is larger than -max-import once inflated")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *capped) Close() error { return l.c.Close() }
