package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/interop"
)

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
	// Not c.Body(), which inflates without a limit; and only for raw bodies:
	// a form's files are already parsed (the large ones to disk).
	raw := func() *bytes.Reader { return bytes.NewReader(c.Request().Body()) }
	switch {
	case enc == "gzip" && ct != fiber.MIMEMultipartForm:
		zr, err := gzip.NewReader(raw())
		if err != nil {
			return nil, "", errs.New(errs.BadRequest, "the body is not gzip: %v", err)
		}
		return &capped{r: zr, left: int64(a.cfg.MaxImportBytes), c: zr}, "", nil
	case enc != "" && enc != "identity":
		return nil, "", errs.New(errs.BadRequest, "Content-Encoding %q is not supported: send the file as it is, or a raw body gzipped", interop.Clip(enc))
	case ct != fiber.MIMEMultipartForm:
		return io.NopCloser(raw()), "", nil
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
