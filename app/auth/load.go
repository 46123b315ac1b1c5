package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
)

// SecretFile is the name of the generated secret, kept next to the database.
const SecretFile = "secret.key"

// LoadSecret returns the secret that signs tokens and session cookies:
// configured (DANMAKU_SECRET, at least 32 characters), or else the one kept
// in secret.key next to the database at dbPath, generated with mode 0600 the
// first time (a warning) and reused after (an info line, so the log always
// says where the secret came from). The server and the token command both
// use it, so tokens from one are good on the other. A database that is not
// a file (a postgres:// URL) has no place for secret.key, and the nodes
// sharing it must sign alike: the secret must then be configured.
func LoadSecret(configured, dbPath string, log *slog.Logger) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinSecretLen {
			return nil, fmt.Errorf("the secret must be at least %d characters", MinSecretLen)
		}
		return []byte(configured), nil
	}
	if strings.Contains(dbPath, "://") {
		return nil, errors.New("no secret configured: with a database server (-db postgres://…) set DANMAKU_SECRET, the same on every node")
	}
	path := filepath.Join(filepath.Dir(dbPath), SecretFile)
	secret, created, err := LoadOrCreateSecret(path)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	if created {
		log.Warn("no secret configured: generated one and stored it next to the database; set DANMAKU_SECRET to manage it yourself", "path", path)
	} else {
		log.Info("no secret configured: using the one generated earlier, next to the database", "path", path)
	}
	return secret, nil
}
