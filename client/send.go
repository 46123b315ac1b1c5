package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
)

// Draft is a comment to send. Only Text is required; the server fills the
// rest with its defaults (scroll, #ffffff, medium, time 0) and validates
// everything, answering with ErrInvalid when a field is wrong.
type Draft struct {
	Text  string
	Time  float64 // seconds into the video; live rooms show comments at once whatever it is
	Mode  string  // "scroll", "top" or "bottom"
	Color string  // "#rrggbb"
	Size  string  // "small", "medium" or "large"
}

// Send posts d to room, which the client must have joined, and returns
// the comment as stored (moderation may have changed its text). A refusal
// is an *Error with the server's code and reason: ErrRejected,
// ErrHeld (stored, waiting for a moderator), ErrRateLimited, ErrInvalid,
// ErrForbidden (banned, or not joined), ErrUnauthorized…
//
// Offline, Send waits for the connection (bounded by ctx) and sends then.
// If the connection drops after the comment was written and before its
// ack, Send fails with ErrConnectionLost: the comment may have been
// stored, and if it was it arrives in the room's stream. The client never
// sends a comment twice. If ctx ends while Send waits for the ack, the
// comment may still be stored.
func (c *Client) Send(ctx context.Context, room string, d Draft) (Comment, error) {
	if !c.inRoom(room) {
		if err := c.Err(); err != nil {
			return Comment{}, err
		}
		return Comment{}, &Error{Code: errs.Forbidden, Message: fmt.Sprintf("join room %q before sending to it", room)}
	}
	t := d.Time
	in := protocol.Inbound{Type: protocol.TypeComment, Ref: c.nextRef("c"), Room: room,
		CommentInput: protocol.CommentInput{Text: d.Text, Time: &t, Mode: d.Mode, Color: d.Color, Size: d.Size}}
	f, err := c.request(ctx, in)
	if err != nil {
		return Comment{}, err
	}
	if f.Comment == nil {
		return Comment{}, serverError(errs.Internal, "the ack carries no comment")
	}
	return *f.Comment, nil
}

// LikeComment likes comment id (once per user: liking again changes
// nothing) and returns its like count. The client need not be in its room.
func (c *Client) LikeComment(ctx context.Context, id int64) (int64, error) {
	return c.like(ctx, protocol.Inbound{Type: protocol.TypeLike, Ref: c.nextRef("l"), CommentID: &id})
}

// LikeRoom likes room's video (once per user) and returns its like count.
// The client must be in the room.
func (c *Client) LikeRoom(ctx context.Context, room string) (int64, error) {
	return c.like(ctx, protocol.Inbound{Type: protocol.TypeLike, Ref: c.nextRef("l"), Room: room})
}

func (c *Client) like(ctx context.Context, in protocol.Inbound) (int64, error) {
	f, err := c.request(ctx, in)
	if err != nil {
		return 0, err
	}
	if f.Likes == nil {
		return 0, serverError(errs.Internal, "the ack carries no like count")
	}
	return *f.Likes, nil
}

// request sends a frame that the server acks and returns the ack. A frame
// that never left (its connection failed while writing it) is sent again
// on the next connection; one that left is never sent again.
func (c *Client) request(ctx context.Context, in protocol.Inbound) (*serverFrame, error) {
	frame, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	if len(frame) > c.opts.maxFrame {
		return nil, &Error{Code: errs.TooLarge, Message: fmt.Sprintf("the frame would be %d bytes, over the server's %d", len(frame), c.opts.maxFrame)}
	}
	for {
		sess, err := c.waitOnline(ctx)
		if err != nil {
			return nil, err
		}
		rep, written := sess.call(ctx, frame, in.Ref)
		switch {
		case rep.err == nil:
			return rep.f, nil
		case written:
			return nil, rep.err
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(rep.err, errSessionGone):
		default:
			c.opts.logger.Info("danmaku client: a write failed; sending again on the next connection", "err", rep.err)
		}
	}
}
