package moderation

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/plugins"
)

// BanOf returns the ban that keeps from out of room, if one does, as the
// banned frame tells it. Call it once Admit refused from: a shadow ban
// admits everyone, and then nobody must learn of it.
func (s *Service) BanOf(ctx context.Context, room string, from Sender) (protocol.Banned, bool) {
	blk, ok, err := s.deps.Bans.Lookup(ctx, plugins.BlockQuery{Room: room, UserID: from.ID, IP: from.IP})
	if err != nil || !ok || !blk.Active(time.Now()) {
		return protocol.Banned{}, false
	}
	return BannedFrame(room, blk), true
}

// BannedFrame is the banned frame that tells a viewer of blk.
func BannedFrame(room string, blk plugins.Block) protocol.Banned {
	f := protocol.Banned{Type: protocol.TypeBanned, Reason: blk.Reason, Message: blk.Message()}
	if blk.Room != "" {
		f.Room = room
	}
	if !blk.Until.IsZero() {
		until := protocol.TimestampOf(blk.Until)
		f.Until = &until
	}
	return f
}
