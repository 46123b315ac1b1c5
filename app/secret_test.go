package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
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

// TestADatabaseServerNeedsTheSecret: with -db a postgres:// URL there is
// no file to keep a generated secret in, and nodes must share one, so the
// server refuses to start without DANMAKU_SECRET, before it connects.
func TestADatabaseServerNeedsTheSecret(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.DBPath, cfg.Secret = "postgres://danmaku@127.0.0.1:1/danmaku", ""
	if _, err := app.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "set DANMAKU_SECRET") {
		t.Fatalf("app.New = %v, want an error asking for DANMAKU_SECRET", err)
	}
}
