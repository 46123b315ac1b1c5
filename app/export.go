package app

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/interop"
	"github.com/danmaku/danmaku/app/interop/bilixml"
	"github.com/danmaku/danmaku/app/interop/jsonexport"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// exportPage is how many comments an export reads from the database at a
// time; each page goes out as one chunk.
const exportPage = 1000

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

// ExportFormat returns the export format named "xml" or "json".
func ExportFormat(name string) (interop.Format, error) {
	switch name {
	case "xml":
		return interop.FormatBilibiliXML, nil
	case "json":
		return interop.FormatJSON, nil
	}
	return "", fmt.Errorf("format must be xml or json, got %q", name)
}

// Export writes a room's visible comments to w in format, ordered by video
// time, and returns how many it wrote. It streams: memory does not grow
// with the room.
func (a *App) Export(ctx context.Context, w io.Writer, room string, format interop.Format) (int, error) {
	r, err := a.store.Room(ctx, room)
	if err != nil {
		return 0, err
	}
	return a.writeExport(ctx, w, r, format)
}

// writeExport writes r's comments as they stand now: the visible comments
// up to the room's last seq, a database page at a time, flushing w (when
// it can flush) after each page. The Bilibili header's maxlimit is the
// room's count of visible comments at the start.
func (a *App) writeExport(ctx context.Context, w io.Writer, r store.Room, format interop.Format) (int, error) {
	var put func(protocol.Comment) error
	var flush, end func() error
	var count func() int
	switch format {
	case interop.FormatBilibiliXML:
		enc := bilixml.NewEncoder(w, bilixml.Header{ChatID: r.ID, MaxLimit: int(r.CommentCount)})
		put, flush, end = enc.Encode, enc.Flush, enc.Close
		count = func() int { return enc.Stats().Written }
	case interop.FormatJSON:
		jw := jsonexport.NewWriter(w, jsonexport.Room{ID: r.ID, Title: r.Title, VideoURL: r.VideoURL, Kind: r.Kind, CreatedAt: r.CreatedAt})
		put, flush, end = jw.Write, jw.Flush, jw.Close
		count = jw.Count
	default:
		return 0, fmt.Errorf("export: unknown format %q", format)
	}
	err := a.store.EachVisible(ctx, r.ID, r.LastSeq, exportPage, func(page []protocol.Comment) error {
		for _, c := range page {
			if err := put(c); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if f, ok := w.(interface{ Flush() error }); ok {
			return f.Flush()
		}
		return nil
	})
	if err == nil {
		err = end()
	}
	return count(), err
}

// exportRoom serves GET /api/rooms/:id/comments.xml and .json as a
// download, streamed a page at a time. Anyone may read them, from any
// origin, like the comments themselves: ArtPlayer and similar players
// fetch the XML from pages elsewhere.
func (a *App) exportRoom(f exportFile) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := a.store.Room(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.contentType)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+r.ID+f.ext+`"`) // room ids need no quoting
		crossOrigin(c)
		ctx := context.WithoutCancel(c.UserContext())
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			// The status and headers are gone by now: a failure can only cut
			// the document short, which every reader notices.
			if n, err := a.writeExport(ctx, w, r, f.format); err != nil {
				a.log.Warn("export stopped", "room", r.ID, "format", f.format, "written", n, "err", err)
			}
		})
		return nil
	}
}
