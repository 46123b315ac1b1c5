package cluster

import (
	"context"
	"time"
)

// recentTTL is how long a room's list of recent texts outlives its last
// comment: long enough for any unique-chat window of a live room.
const recentTTL = time.Hour

// Shared is what the live moderation tools share between nodes through
// Redis: the rate counters (slow mode holds a key per sender) and each
// room's recent texts (unique chat).
type Shared struct{ counters }

// Shared returns the live tools' shared state, or nil without Redis.
func (b *Broker) Shared() *Shared {
	if b.opts.Redis == nil {
		return nil
	}
	return &Shared{counters{b}}
}

func (s *Shared) textsKey(room string) string { return s.b.opts.Prefix + "texts:" + room }

// RecentTexts returns a room's last n texts as noted, newest first.
func (s *Shared) RecentTexts(ctx context.Context, room string, n int) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.b.opts.Redis.LRange(ctx, s.textsKey(room), 0, int64(n-1)).Result()
}

// NoteText adds text to a room's recent texts, keeping the last keep.
// One pipelined round trip: push, trim, expire.
func (s *Shared) NoteText(ctx context.Context, room, text string, keep int) error {
	if err := s.check(); err != nil {
		return err
	}
	key := s.textsKey(room)
	pipe := s.b.opts.Redis.TxPipeline()
	pipe.LPush(ctx, key, text)
	pipe.LTrim(ctx, key, 0, int64(keep-1))
	pipe.Expire(ctx, key, recentTTL)
	_, err := pipe.Exec(ctx)
	return err
}
