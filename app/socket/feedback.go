package socket

import (
	"context"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// Feedback carries out viewers' feedback frames (see feedback.Service).
type Feedback interface {
	Unlike(ctx context.Context, rooms []string, commentID int64, by auth.Identity) (store.LikeChange, error)
	Report(ctx context.Context, by auth.Identity, ip string, commentID int64, reason string) (store.ReportResult, error)
	Recall(ctx context.Context, by auth.Identity, commentID int64) (store.ModComment, error)
}

// feedback handles unlike, report and recall frames: each names a
// comment, and is answered with an ack. A like is taken back only in the
// rooms a like could be given in (likeRooms).
func (c *viewerSocket) feedback(in protocol.Inbound) {
	if in.CommentID == nil {
		c.Send(protocol.EncodeAckError(in.Ref, errs.New(errs.BadRequest, "comment_id is required")))
		return
	}
	ctx, cancel := frameContext()
	defer cancel()
	id, who := *in.CommentID, c.identity()
	ack := protocol.Ack{Type: protocol.TypeAck, Ref: in.Ref, OK: true, CommentID: in.CommentID}
	var err error
	switch in.Type {
	case protocol.TypeUnlike:
		var change store.LikeChange
		change, err = c.srv.deps.Feedback.Unlike(ctx, c.likeRooms(in.Room), id, who)
		ack.Room, ack.Likes = change.Room, &change.Likes
	case protocol.TypeReport:
		var res store.ReportResult
		res, err = c.srv.deps.Feedback.Report(ctx, who, addrString(c), id, in.Reason)
		ack.Room = res.Comment.Room
	case protocol.TypeRecall:
		var m store.ModComment
		m, err = c.srv.deps.Feedback.Recall(ctx, who, id)
		ack.Room = m.Room
	}
	if err != nil {
		c.Send(protocol.EncodeAckError(in.Ref, err))
		return
	}
	c.Send(protocol.Encode(ack))
}

// addrString is the socket's client address as stored ("" when unknown).
func addrString(c *viewerSocket) string {
	if !c.addr.IsValid() {
		return ""
	}
	return c.addr.String()
}
