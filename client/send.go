package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	// IdempotencyKey makes resending the comment safe: the server answers
	// a resend with the same key from the same user with the first answer
	// instead of storing it twice (docs/protocol.md). Empty: Send picks a
	// random one.
	IdempotencyKey string
}

// Send posts d to room, which the client must have joined, and returns
// the comment as stored (moderation may have changed its text). A refusal
// is an *Error with the server's code and reason: ErrRejected,
// ErrHeld (stored, waiting for a moderator), ErrRateLimited, ErrInvalid,
// ErrForbidden (banned, or not joined), ErrUnauthorized…
//
// Offline, Send waits for the connection (bounded by ctx) and sends then.
// If the connection drops after the comment was written and before its
// ack, a client with a token sends it again on the next connection with
// the same idempotency key, and the server answers with the comment it
// stored, if it did: never two copies. A guest (no token) is a new user on
// every connection, so the key cannot match; its Send fails with
// ErrConnectionLost instead, and the comment, if stored, arrives in the
// room's stream. If ctx ends while Send waits for the ack, the comment may
// still be stored.
func (c *Client) Send(ctx context.Context, room string, d Draft) (Comment, error) {
	if !c.inRoom(room) {
		if err := c.Err(); err != nil {
			return Comment{}, err
		}
		return Comment{}, &Error{Code: errs.Forbidden, Message: fmt.Sprintf("join room %q before sending to it", room)}
	}
	t := d.Time
	key := d.IdempotencyKey
	if key == "" {
		key = newKey()
	}
	in := protocol.Inbound{Type: protocol.TypeComment, Ref: c.nextRef("c"), Room: room,
		CommentInput: protocol.CommentInput{Text: d.Text, Time: &t, Mode: d.Mode, Color: d.Color, Size: d.Size, IdempotencyKey: key}}
	f, err := c.request(ctx, in, c.hasIdentity())
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
	f, err := c.request(ctx, in, false)
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
// on the next connection; one that left is sent again only when
// resendable (the server recognises the resend), else the call fails with
// ErrConnectionLost.
func (c *Client) request(ctx context.Context, in protocol.Inbound, resendable bool) (*serverFrame, error) {
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
		case written && resendable && errors.Is(rep.err, ErrConnectionLost) && ctx.Err() == nil:
			c.opts.logger.Info("danmaku client: the connection dropped before the ack; sending again with the same idempotency key")
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

// hasIdentity reports whether the client is the same user on every
// connection (it has a token), so that the server matches a resend's
// idempotency key with the first send's.
func (c *Client) hasIdentity() bool { return c.opts.token != "" || c.opts.source != nil }

// newKey returns a random idempotency key: 128 bits, hex.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
