package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/transfer"
)

// importReadTimeout bounds reading an upload to the import route, which
// may be far larger than other requests.
const importReadTimeout = 10 * time.Minute

// postImport serves POST /api/rooms/:id/import (moderators only): a
// Bilibili XML file or JSON export, as the raw body or as the field "file"
// of a multipart form, read from the connection as it arrives and imported
// into the room in chunks (see transfer.Service.Import).
func (s *server) postImport(c *fiber.Ctx) error {
	room := c.Params("id")
	if _, err := s.deps.Rooms.Get(c.UserContext(), room); err != nil {
		return err
	}
	body, name, err := s.importBody(c)
	if err != nil {
		return err
	}
	defer body.Close()
	rep, err := s.deps.Transfer.Import(c.UserContext(), body, transfer.ImportOptions{Room: room, By: middleware.IdentityOf(c).ID, Source: name})
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

// importBody returns the uploaded file, as a stream of the request's body,
// and its name, if the form gave one. The body is read up to -max-import
// bytes (BodyLimits has refused a longer Content-Length); a raw body may be
// gzipped (Content-Encoding: gzip) and is then inflated as the import
// reads it, up to -max-import bytes too, so a small body cannot blow up.
// A form is read part by part: the file is never held whole, in memory or
// on disk.
func (s *server) importBody(c *fiber.Ctx) (io.ReadCloser, string, error) {
	ct, params, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)))
	limit := int64(s.cfg.MaxImportBytes)
	var raw io.Reader = c.Request().BodyStream()
	if raw == nil { // not streamed: a body set in memory
		raw = bytes.NewReader(c.Request().Body())
	}
	raw = &capped{r: raw, left: limit, what: "the file is larger than -max-import"}
	switch {
	case enc == "gzip" && ct != fiber.MIMEMultipartForm:
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, "", errs.New(errs.BadRequest, "the body is not gzip: %v", err)
		}
		return &capped{r: zr, left: limit, c: zr, what: "the file is larger than -max-import once inflated"}, "", nil
	case enc != "" && enc != "identity":
		return nil, "", errs.New(errs.BadRequest, "Content-Encoding %q is not supported: send the file as it is, or a raw body gzipped", interop.Clip(enc))
	case ct != fiber.MIMEMultipartForm:
		return io.NopCloser(raw), "", nil
	}
	return formFile(raw, params["boundary"])
}

// formFile returns the part named "file" of the multipart form r, unread,
// and its file name; the parts before it are read past.
func formFile(r io.Reader, boundary string) (io.ReadCloser, string, error) {
	noFile := errs.New(errs.BadRequest, "the form must carry the file in a field named \"file\"")
	if boundary == "" {
		return nil, "", noFile
	}
	mr := multipart.NewReader(r, boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", noFile
		}
		if err != nil {
			if e := (*errs.Error)(nil); errors.As(err, &e) {
				return nil, "", e // over -max-import
			}
			return nil, "", errs.Wrap(err, errs.BadRequest, "the form is malformed: "+err.Error())
		}
		if p.FormName() != "file" {
			p.Close()
			continue
		}
		name := p.FileName()
		if !interop.Printable(name) {
			name = ""
		}
		return p, interop.Clip(name), nil
	}
}

// capped reads at most left bytes of r and fails (TooLarge, saying what)
// past them.
type capped struct {
	r    io.Reader
	left int64
	c    io.Closer // nil: nothing to close
	what string
}

func (l *capped) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errs.New(errs.TooLarge, "%s", l.what)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// Close closes what l reads, if it has to be.
func (l *capped) Close() error {
	if l.c == nil {
		return nil
	}
	return l.c.Close()
}

// exportFile describes a file format for download.
type exportFile struct {
	format      interop.Format
	ext         string
	contentType string
}

var (
	exportXML  = exportFile{interop.FormatBilibiliXML, ".xml", "application/xml; charset=utf-8"}
	exportJSON = exportFile{interop.FormatJSON, ".json", "application/json; charset=utf-8"}
)

// exportRoom serves GET /api/rooms/:id/comments.xml and .json as a
// download, streamed a page at a time. Anyone may read them, from any
// origin, like the comments themselves: ArtPlayer and similar players
// fetch the XML from pages elsewhere.
func (s *server) exportRoom(f exportFile) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := s.deps.Rooms.Get(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.contentType)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+r.ID+f.ext+`"`) // room ids need no quoting
		middleware.CrossOrigin(c)
		ctx := context.WithoutCancel(c.UserContext())
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			// The status and headers are gone by now: a failure can only cut
			// the document short, which every reader notices.
			if n, err := s.deps.Transfer.WriteExport(ctx, w, r.Room, f.format); err != nil {
				s.log.Warn("export stopped", "room", r.ID, "format", f.format, "written", n, "err", err)
			}
		})
		return nil
	}
}
