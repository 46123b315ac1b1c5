package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MinSecretLen is the shortest signing secret accepted, in bytes.
const MinSecretLen = 32

// LoadOrCreateSecret reads the signing secret stored at path, creating it
// (mode 0600) with 32 random bytes when it does not exist. created reports
// whether it was generated now.
func LoadOrCreateSecret(path string) (secret []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(s) < MinSecretLen {
			return nil, false, fmt.Errorf("auth: %s does not hold a hex secret of at least %d bytes", path, MinSecretLen)
		}
		return s, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("auth: reading secret: %w", err)
	}
	secret = make([]byte, MinSecretLen)
	_, _ = rand.Read(secret)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, fmt.Errorf("auth: creating secret: %w", err)
	}
	// O_EXCL: two processes starting at once must not overwrite each other's secret.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("auth: creating secret: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("auth: writing secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("auth: writing secret: %w", err)
	}
	return secret, true, nil
}
