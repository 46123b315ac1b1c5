package httpapi

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/segments"
)

// Segments serves rooms' timelines in cacheable slices (see segments.Service).
type Segments interface {
	Get(ctx context.Context, room string, n int64, ifNoneMatch string) (segments.Segment, bool, error)
}

// Caching of a segment. Browsers and any cache check their copy with its
// ETag before every use (public, no-cache): a 304 costs the server no
// comment read, and a retraction is never hidden by a stale copy. A CDN
// that reads CDN-Cache-Control (RFC 9213) may serve its copy for a few
// seconds without asking, and a little longer while it asks. Where guests
// may not read, only the viewer's own browser keeps one.
const (
	segmentCachePublic  = "public, no-cache"
	segmentCacheCDN     = "max-age=5, stale-while-revalidate=30"
	segmentCachePrivate = "private, no-cache"
)

// getSegment serves GET /api/rooms/:id/segments/:n: the visible comments of
// [n×360, (n+1)×360) seconds of video, with an ETag that changes only when
// they do; If-None-Match with the current one gets 304.
func (s *server) getSegment(c *fiber.Ctx) error {
	room := c.Params("id")
	if err := protocol.CheckRoomID(room); err != nil {
		return err
	}
	n, err := strconv.ParseInt(c.Params("n"), 10, 64)
	if err != nil {
		return errs.New(errs.BadRequest, "segment must be a whole number from 0 to %d", segments.MaxIndex)
	}
	seg, modified, err := s.deps.Segments.Get(c.UserContext(), room, n, c.Get(fiber.HeaderIfNoneMatch))
	if err != nil {
		return err
	}
	if s.deps.Auth.Guests == middleware.GuestsOff {
		c.Set(fiber.HeaderCacheControl, segmentCachePrivate)
	} else {
		// What every viewer sees: other sites' players may read it too.
		c.Set(fiber.HeaderCacheControl, segmentCachePublic)
		c.Set("CDN-Cache-Control", segmentCacheCDN)
		middleware.CrossOrigin(c)
	}
	c.Set(fiber.HeaderETag, seg.ETag)
	if !modified {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.JSON(seg)
}
