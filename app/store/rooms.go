package store

import (
	"context"

	"github.com/danmaku/danmaku/app/protocol"
)

// Room kinds: a vod room replays comments by video time, a live room by wall-clock time.
const (
	KindVOD  = "vod"
	KindLive = "live"
)

// Room is a video and its comment stream.
type Room struct {
	ID           string             `json:"id"`
	Title        string             `json:"title"`
	VideoURL     string             `json:"video_url"`
	Kind         string             `json:"kind"`
	CreatedAt    protocol.Timestamp `json:"created_at"`
	LastSeq      int64              `json:"last_seq"`
	CommentCount int64              `json:"comment_count"`
	Likes        int64              `json:"likes"`
}

// CommentSpan is when a room's first and last visible comments were stored.
type CommentSpan struct {
	First, Last protocol.Timestamp
	Empty       bool // the room has no visible comment; First and Last are zero
}

// Rooms stores rooms.
type Rooms interface {
	// CreateRoom stores a new room and returns it with CreatedAt set; an
	// existing id is Conflict.
	CreateRoom(ctx context.Context, r Room) (Room, error)
	// Room returns one room, or NotFound.
	Room(ctx context.Context, id string) (Room, error)
	// Rooms lists every room, newest first.
	Rooms(ctx context.Context) ([]Room, error)
	// CommentSpan returns the creation times of a room's first and last
	// visible comments, which bound a replay of a live room by wall-clock
	// time.
	CommentSpan(ctx context.Context, room string) (CommentSpan, error)
}
