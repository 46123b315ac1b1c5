package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// Inheritor is implemented by plugins that can take over the state of the
// instance they replace when a reload changes their entry's config (an
// entry whose config is unchanged keeps its instance as it is). Inherit is
// called once, after Configure and Provision, with the instance at the
// same place: same chain, same plugin name, same position among the
// chain's entries of that name. prev is closed once the calls still using
// it return, so take what you need (maps, buckets) and keep no reference
// to prev itself. prev may be of another type (a plugin registered twice);
// check with a type assertion and ignore what does not fit.
type Inheritor interface {
	Inherit(prev Moderator)
}

// instance is one plugin instance and what belongs to it rather than to
// the entry configuring it: it outlives a reload that leaves the entry's
// config unchanged.
type instance struct {
	mod    Moderator
	closer Closer // nil if the plugin holds nothing
	// owner is the set that closes the instance; a reload that keeps the
	// instance hands it to the new set once the new set is in place.
	owner atomic.Pointer[Set]
	// stuck counts the calls abandoned at their deadline that are still
	// running: the cap of abandoned calls is per instance.
	stuck atomic.Int64
	// demoted is set once a NonBlocking plugin overran its timeout: it
	// runs on the worker path from then on, until it has answered
	// promoteAfter calls in a row well within its timeout (fast counts them).
	demoted atomic.Bool
	fast    atomic.Int64
	// shedding is set while calls fail fast for too many abandoned calls,
	// so the log says so once per episode.
	shedding atomic.Bool
	// files are the files the instance read its config from (RawConfig.Path)
	// with a digest of each: a reload keeps the instance only if none changed.
	files map[string]string
}

// fileDigest is a digest of the file at path, or a marker when it cannot
// be read: a file that appears, disappears or changes changes the digest.
func fileDigest(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// filesUnchanged reports whether every file the instance read is as it was.
func (inst *instance) filesUnchanged() bool {
	for path, digest := range inst.files {
		if fileDigest(path) != digest {
			return false
		}
	}
	return true
}

// fingerprint identifies an entry's whole configuration: two entries with
// the same fingerprint would build the same instance.
func fingerprint(cfg Entry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00%s\x00%d\x00", cfg.Name, cfg.OnError, cfg.Timeout, cfg.Mode, cfg.MaxAbandoned)
	if b := cfg.Breaker; b != nil {
		fmt.Fprintf(h, "%d/%v/%v", b.Failures, b.Window, b.Cooldown)
	}
	h.Write([]byte{0})
	if cfg.Config.node != nil {
		out, err := yaml.Marshal(cfg.Config.node)
		if err != nil {
			out = fmt.Appendf(nil, "%p", cfg.Config.node) // never equal: rebuild
		}
		h.Write(out)
	}
	fmt.Fprintf(h, "\x00%s", cfg.Config.dir)
	return hex.EncodeToString(h.Sum(nil))
}

// place names where an entry sits for a reload: its chain, its plugin
// name, and how many entries of that name come before it in the chain.
type place struct {
	chain string // "" for the default chain, else the room key
	name  string
	nth   int
}
