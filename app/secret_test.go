package app_test

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/auth"
)

func TestAGeneratedSecretIsReusedAndLogged(t *testing.T) {
	db := filepath.Join(t.TempDir(), "danmaku.db")
	var first []byte
	for i, want := range []string{
		`level=WARN msg="no secret configured: generated one`,
		`level=INFO msg="no secret configured: using the one generated earlier`,
	} {
		var logs bytes.Buffer
		secret, err := auth.LoadSecret("", db, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), auth.SecretFile) {
			t.Errorf("start %d logged %q, want %q naming the file", i+1, logs.String(), want)
		}
		if i == 0 {
			first = secret
		} else if !bytes.Equal(secret, first) {
			t.Error("the second start did not reuse the generated secret")
		}
	}
}
