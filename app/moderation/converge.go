package moderation

import (
	"context"
	"crypto/sha256"
	"os"
)

// fileSum is the digest of the plugin configuration file's bytes, or the
// zero digest without a file (or when it cannot be read: the load that
// follows says why).
func (src Source) fileSum() [sha256.Size]byte {
	if src.File == "" {
		return [sha256.Size]byte{}
	}
	b, err := os.ReadFile(src.File)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(b)
}

// ConfigHash returns the hash of the plugin configuration this node runs
// (plugins.Set.Hash).
func (s *Service) ConfigHash() string { return s.pipeline.Stats().ConfigHash }

// Converge brings this node to the plugin configuration another node of
// the cluster runs (its hash) when a reload made there did not reach this
// node (the bus was down): it reloads when that hash is not this node's
// and this node's file changed since it last read it. A node whose file
// is unchanged keeps its chains (a reload would change nothing), and so
// does one without a file. It reports whether it reloaded.
func (s *Service) Converge(ctx context.Context, hash string) (bool, error) {
	if s.deps.Source.File == "" || hash == "" || hash == s.ConfigHash() {
		return false, nil
	}
	s.sumMu.Lock()
	read := s.sum
	s.sumMu.Unlock()
	if s.deps.Source.fileSum() == read {
		// The other node is behind (it will reload on this node's
		// answer), or the nodes' files differ: either way, nothing here.
		s.log.Info("another node runs other plugin chains; this node's file is unchanged since it read it, so it keeps its own", "theirs", hash, "ours", s.ConfigHash())
		return false, nil
	}
	if err := s.reload(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// noteFileRead records the digest of the file the running chains came from.
func (s *Service) noteFileRead(sum [sha256.Size]byte) {
	s.sumMu.Lock()
	s.sum = sum
	s.sumMu.Unlock()
}
