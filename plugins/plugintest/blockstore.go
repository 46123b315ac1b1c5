package plugintest

import (
	"context"
	"sync"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// BlockStore is an in-memory [plugins.BlockStore] for tests and examples.
type BlockStore struct {
	mu     sync.Mutex
	blocks []plugins.Block
	now    func() time.Time
	// Err, when set, is returned by every Lookup (to test failure policies).
	Err error
}

var (
	_ plugins.BlockStore  = (*BlockStore)(nil)
	_ plugins.NonBlocking = (*BlockStore)(nil)
)

// NewBlockStore returns an empty store judging expiry by now.
func NewBlockStore(now func() time.Time) *BlockStore { return &BlockStore{now: now} }

// Add stores a block.
func (s *BlockStore) Add(b plugins.Block) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks = append(s.blocks, b)
}

// Lookup returns the first active block matching q's room (or a global
// one) and its user id or IP.
func (s *BlockStore) Lookup(_ context.Context, q plugins.BlockQuery) (plugins.Block, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return plugins.Block{}, false, s.Err
	}
	for _, b := range s.blocks {
		if b.Room != "" && b.Room != q.Room || !b.Active(s.now()) {
			continue
		}
		if b.UserID != "" && b.UserID == q.UserID || b.IP.IsValid() && q.IP.IsValid() && b.IP.Contains(q.IP) {
			return b, true, nil
		}
	}
	return plugins.Block{}, false, nil
}

// NonBlocking reports true: the store answers from memory.
func (s *BlockStore) NonBlocking() bool { return true }
