package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// gapPage is how many comments one REST call fetches (the server's most).
const gapPage = 5000

// gapTimeout bounds the whole fill of one gap.
const gapTimeout = time.Minute

// fillGap fetches over REST the comments a catch-up left out (the server
// stops after -catchup-limit of them) and delivers them, before anything
// the socket sends next: the reader waits meanwhile, and what the live
// stream repeats is dropped as already delivered.
func (c *Client) fillGap(room string, after int64) {
	if !c.inRoom(room) {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, gapTimeout)
	defer cancel()
	for {
		page, err := c.commentsAfter(ctx, room, after)
		if err != nil {
			c.emit(ErrorEvent{Room: room, Err: fmt.Errorf("client: fetching the comments of room %q after seq %d: %w", room, after, err)})
			return
		}
		c.deliver(room, page)
		if len(page) < gapPage || page[len(page)-1].Seq <= after {
			return
		}
		after = page[len(page)-1].Seq
	}
}

// commentsAfter is GET /api/rooms/:room/comments?after_seq=after, with the
// client's token.
func (c *Client) commentsAfter(ctx context.Context, room string, after int64) ([]protocol.Comment, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.ends.roomCommentsURL(room, after, gapPage), nil)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	tok := c.tok
	c.mu.Unlock()
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	hc := c.opts.httpClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Comments []protocol.Comment  `json:"comments"`
		Error    *protocol.ErrorBody `json:"error"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return nil, fmt.Errorf("HTTP %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		if body.Error != nil {
			return nil, &Error{Code: body.Error.Code, Message: body.Error.Message, Status: resp.StatusCode}
		}
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return body.Comments, nil
}

// maxBody bounds a REST answer the client reads (a page of 5,000 comments
// is about 1.5 MB).
const maxBody = 16 << 20

// decodeJSON reads resp's body as JSON into v.
func decodeJSON(resp *http.Response, v any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
