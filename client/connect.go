package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// connect opens a connection, authenticates it, rejoins the client's
// rooms and puts it in service. attempt is 0 for Dial's connection and
// counts reconnect attempts after that.
func (c *Client) connect(ctx context.Context, attempt int) (*session, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	u := c.ends.ws
	header := http.Header{}
	for k, v := range c.opts.header {
		header[k] = v
	}
	if c.opts.origin != "" {
		header.Set("Origin", c.opts.origin)
	}
	if tok != "" {
		switch c.opts.tokenMode {
		case TokenHeader:
			header.Set("Authorization", "Bearer "+tok)
		case TokenQuery:
			q := u.Query()
			q.Set("token", tok)
			u.RawQuery = q.Encode()
		}
	}
	conn, resp, err := dialWS(ctx, c.dialer, u.String(), header)
	if err != nil {
		return nil, handshakeError(c.ends.ws.String(), resp, err) // without the token
	}
	sess := newSession(c, conn)
	c.wg.Add(1)
	go sess.read()
	fail := func(err error) (*session, error) {
		sess.drop()
		<-sess.lost
		return nil, err
	}
	if tok != "" && c.opts.tokenMode == TokenFrame {
		if err := sess.authenticate(ctx, tok); err != nil {
			return fail(err)
		}
	}
	c.mu.Lock()
	c.tok = tok
	if exp, ok := tokenExpiry(tok); ok {
		c.tokenExp = exp
	}
	c.mu.Unlock()
	if attempt > 0 {
		c.emit(Reconnected{Attempts: attempt})
	}
	if err := c.install(ctx, sess); err != nil {
		return fail(err)
	}
	return sess, nil
}

// authenticate sends an auth frame and waits for the server's answer.
func (s *session) authenticate(ctx context.Context, tok string) error {
	ref := s.c.nextRef("a")
	frame, _ := json.Marshal(protocol.Inbound{Type: protocol.TypeAuth, Ref: ref, Token: tok})
	rep, _ := s.call(ctx, frame, ref)
	if rep.err != nil {
		return fmt.Errorf("client: authenticating: %w", rep.err)
	}
	return nil
}

// install rejoins every room on sess, resuming each after its last seq,
// and then makes sess the connection calls use: frames are handled in
// order, so whatever is sent after the joins finds the rooms joined.
func (c *Client) install(ctx context.Context, sess *session) error {
	c.mu.Lock()
	rooms := make([]*room, 0, len(c.rooms))
	for _, r := range c.rooms {
		r.sentOn = sess
		rooms = append(rooms, r)
	}
	c.mu.Unlock()
	sess.sendJoins(ctx, rooms)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return c.err
	case sess.gone:
		return errSessionGone
	}
	c.sess = sess
	close(c.online)
	return nil
}

// supervise watches the connection: it refreshes the token before it
// expires, and when the connection drops it reconnects, with backoff,
// until the client ends.
func (c *Client) supervise(sess *session) {
	defer c.wg.Done()
	refresh := time.NewTimer(time.Hour)
	defer refresh.Stop()
	for {
		c.armRefresh(refresh)
		select {
		case <-c.ctx.Done():
			return
		case <-refresh.C:
			c.refreshToken(sess)
			continue
		case <-sess.lost:
		}
		if c.Err() != nil {
			return
		}
		c.opts.logger.Info("danmaku client: connection lost", "err", sess.err)
		if sess = c.reconnect(sess.err); sess == nil {
			return
		}
	}
}

// reconnect tries to connect again until it succeeds or the client ends.
func (c *Client) reconnect(cause error) *session {
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for attempt := 1; ; attempt++ {
		delay := c.opts.backoff(attempt)
		c.emit(Disconnected{Err: cause, Attempt: attempt, Retry: delay})
		timer.Reset(delay)
		select {
		case <-c.ctx.Done():
			return nil
		case <-timer.C:
		}
		sess, err := c.connect(c.ctx, attempt)
		if err == nil {
			c.opts.logger.Info("danmaku client: reconnected", "attempts", attempt)
			return sess
		}
		if c.ctx.Err() != nil {
			return nil
		}
		if c.fatalDial(err) {
			c.end(err)
			return nil
		}
		c.opts.logger.Info("danmaku client: reconnect failed", "attempt", attempt, "err", err)
		cause = err
	}
}

// armRefresh sets t to fire when the token in use should be refreshed;
// without a token source, or a known expiry, it never fires.
func (c *Client) armRefresh(t *time.Timer) {
	c.mu.Lock()
	exp := c.tokenExp
	c.mu.Unlock()
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	if c.opts.source == nil || exp.IsZero() {
		return
	}
	t.Reset(refreshDelay(time.Now(), exp))
}

// refreshToken fetches a fresh token and hands it to the server in an
// auth frame on the open connection, before the old one expires.
func (c *Client) refreshToken(sess *session) {
	ctx, cancel := context.WithTimeout(c.ctx, writeWait)
	defer cancel()
	tok, err := c.token(ctx)
	if err == nil {
		err = sess.authenticate(ctx, tok)
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, errSessionGone) && !errors.Is(err, ErrConnectionLost) {
			c.emit(ErrorEvent{Err: fmt.Errorf("client: refreshing the token: %w", err)})
		}
		c.mu.Lock()
		c.tokenExp = time.Time{} // no new timer: the expiry close reconnects with a fresh token
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	c.tok = tok
	c.mu.Unlock()
}
