package moderation

import "context"

// BansReloader is a ban list that can read the bans in force again: on a
// node of a cluster, after another node changed them.
type BansReloader interface {
	Reload(ctx context.Context) error
}

// PeerBansChanged applies a ban change another node of the cluster made:
// the ban list is read again, so a banned user is refused here at once,
// and this node's moderators see the new list. (Closing the banned
// viewers' sockets here is the caller's.)
func (s *Service) PeerBansChanged(ctx context.Context) error {
	if r, ok := s.deps.Bans.(BansReloader); ok {
		if err := r.Reload(ctx); err != nil {
			return err
		}
	}
	s.feed.noteBans()
	return nil
}

// ReloadHere reloads the plugin chains on this node only, as another
// node's reload asks; Reload also tells the other nodes (Deps.OnReload).
func (s *Service) ReloadHere(ctx context.Context) error { return s.reload(ctx) }

// PeerLiveChanged applies a change to the live tools another node of the
// cluster made: this node reads them again at the next comment (not
// LiveTTL later), and its moderators' pages get the new live frame.
func (s *Service) PeerLiveChanged() {
	if s.live == nil {
		return
	}
	s.live.invalidate()
	s.feed.noteLive()
}
