package httpapi

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/httpapi/middleware"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/segments"
)

// Segments serves rooms' timelines in cacheable slices (see segments.Service).
type Segments interface {
	Get(ctx context.Context, room string, n int64, ifNoneMatch string) (segments.Segment, bool, error)
	Own(ctx context.Context, room, viewer string, n int64) (segments.Segment, error)
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
	// segmentOwnCache: a viewer's own part of a segment is theirs alone,
	// and changes with every comment they send: kept by nobody.
	segmentOwnCache = "private, no-store"
)

// getSegment serves GET /api/rooms/:id/segments/:n: the visible comments of
// [n×360, (n+1)×360) seconds of video, with an ETag that changes only when
// they do; If-None-Match with the current one gets 304.
func (s *server) getSegment(c *fiber.Ctx) error {
	room, n, err := segmentParams(c)
	if err != nil {
		return err
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

// getOwnSegment serves GET /api/rooms/:id/segments/:n/own: what segment n
// holds for the caller alone (their own shadowed comments), which the
// player merges into the shared segment. Every viewer's player asks for it
// with every segment, so the requests tell nothing; it is nearly always
// empty. It is read for the caller's identity only, never for a named
// user, and a passing guest (no credentials, nothing stored) is answered
// without a read.
func (s *server) getOwnSegment(c *fiber.Ctx) error {
	room, n, err := segmentParams(c)
	if err != nil {
		return err
	}
	viewer := middleware.IdentityOf(c).ID
	if middleware.PassingGuest(middleware.CredentialsOf(c)) {
		viewer = ""
	}
	seg, err := s.deps.Segments.Own(c.UserContext(), room, viewer, n)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, segmentOwnCache)
	return c.JSON(seg)
}

// segmentParams reads a segment route's room and segment number.
func segmentParams(c *fiber.Ctx) (string, int64, error) {
	room := c.Params("id")
	if err := protocol.CheckRoomID(room); err != nil {
		return "", 0, err
	}
	n, err := strconv.ParseInt(c.Params("n"), 10, 64)
	if err != nil {
		return "", 0, segments.BadIndex()
	}
	return room, n, nil
}
