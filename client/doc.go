// Package client is a Go client for a Danmaku server: what bots, relays
// and scripts use to talk to it the way browsers do.
//
// Dial connects (as a guest, or with a token in a header, the URL or an
// auth frame), Join and Leave move the connection in and out of rooms, Send
// posts a comment and returns the stored comment or an *Error carrying the
// server's code and reason, LikeComment and LikeRoom like, and Events (or
// Listen) delivers what the rooms say as typed events.
//
// The client reconnects by itself with exponential backoff and jitter and
// resumes each room after the last comment it delivered (since=), so the
// stream it delivers has no gap and no duplicate across reconnects and
// server restarts. A Send made while the client is offline waits for the
// connection (bounded by its ctx) and is sent once. A Send whose connection
// drops after it was written and before its ack is sent again with the same
// idempotency key when the client has a token (the server then answers with
// what it stored, never a second copy); a guest's fails with
// ErrConnectionLost instead.
//
// docs/client.md has a complete bot and the guarantees in detail; the wire
// protocol is docs/protocol.md, with the shared types in app/protocol.
package client
