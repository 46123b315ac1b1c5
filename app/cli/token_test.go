package cli_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/cli"
	"github.com/danmaku/danmaku/plugins"
)

// runCLI runs the binary's entry point and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), args, cli.IO{Env: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr}, cli.Files{})
	return code, stdout.String(), stderr.String()
}

func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "danmaku.db")
	code, out, errOut := runCLI(t, nil, "token", "--user", "u1", "--name", "Alice", "--role", "moderator", "--ttl", "24h", "-db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// No secret configured: one was generated next to the database, as the server does.
	info, err := os.Stat(filepath.Join(dir, auth.SecretFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v; want mode 0600", info, err)
	}
	if !strings.Contains(errOut, "generated") {
		t.Errorf("no warning about the generated secret: %q", errOut)
	}
	secret, err := auth.LoadSecret("", db, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	id, exp, err := auth.NewSigner(secret).Verify(token)
	if err != nil {
		t.Fatalf("the printed token does not verify with the server's secret: %v", err)
	}
	if id.ID != "u1" || id.Name != "Alice" || !slices.Equal(id.Roles, []string{"moderator"}) || id.Guest {
		t.Fatalf("identity %+v", id)
	}
	if left := time.Until(exp); left < 23*time.Hour || left > 24*time.Hour {
		t.Fatalf("expires in %s, want 24h", left)
	}

	// The same secret is reused; roles repeat or separate with commas.
	code, out, _ = runCLI(t, map[string]string{"DANMAKU_DB": db}, "token", "-user", "ops", "-role", "admin,moderator", "-role", "viewer")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	id, _, err = auth.NewSigner(secret).Verify(strings.TrimSpace(out))
	if err != nil || id.Name != "ops" || !slices.Equal(id.Roles, []string{"admin", "moderator", "viewer"}) {
		t.Fatalf("%+v, %v; want ops (named after the id) with three roles", id, err)
	}

	// The database, and so the secret, can also come from a config file, as for serve.
	other := filepath.Join(t.TempDir(), "elsewhere", "danmaku.db")
	conf := filepath.Join(t.TempDir(), "danmaku.yaml")
	if err := os.WriteFile(conf, []byte("db: "+other+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, nil, "token", "-user", "u2", "-config", conf); code != 0 {
		t.Fatalf("with a config file: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(other), auth.SecretFile)); err != nil {
		t.Fatalf("no secret next to the config file's db: %v", err)
	}

	// DANMAKU_SECRET wins over the file.
	env := map[string]string{"DANMAKU_SECRET": strings.Repeat("k", 32)}
	code, out, _ = runCLI(t, env, "token", "-user", "bot", "-db", db)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if id, _, err := auth.NewSigner([]byte(env["DANMAKU_SECRET"])).Verify(strings.TrimSpace(out)); err != nil || !slices.Equal(id.Roles, []string{"viewer"}) {
		t.Fatalf("%+v, %v; want a viewer token signed with DANMAKU_SECRET", id, err)
	}
}

func TestTokenCommandErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no user", []string{"-db", db}, nil, "-user is required"},
		{"unknown role", []string{"-user", "u", "-role", "superuser", "-db", db}, nil, `unknown role "superuser"`},
		{"guest id", []string{"-user", "g-123", "-db", db}, nil, "marks guests"},
		{"id with a space", []string{"-user", "a b", "-db", db}, nil, "without spaces"},
		{"control character in name", []string{"-user", "u", "-name", "a\u202eb", "-db", db}, nil, "control characters"},
		{"zero ttl", []string{"-user", "u", "-ttl", "0s", "-db", db}, nil, "-ttl must be positive"},
		{"bad ttl", []string{"-user", "u", "-ttl", "soon", "-db", db}, nil, "invalid value"},
		{"short secret", []string{"-user", "u", "-db", db}, map[string]string{"DANMAKU_SECRET": "short"}, "at least 32"},
		{"extra argument", []string{"-user", "u", "-db", db, "extra"}, nil, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.env, append([]string{"token"}, tc.args...)...)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, out, errOut, tc.want)
			}
		})
	}
}

// TestTokenFromTheCommandWorksOnTheServer signs with the command and
// connects to a server started on the same database, without DANMAKU_SECRET.
func TestTokenFromTheCommandWorksOnTheServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "danmaku.db")
	code, out, _ := runCLI(t, nil, "token", "-user", "mod", "-role", "moderator", "-db", db)
	if code != 0 {
		t.Fatal("token failed")
	}
	cfg := app.DefaultConfig()
	cfg.Addr, cfg.DBPath, cfg.Migrations = "127.0.0.1:0", db, os.DirFS("../../migrations")
	cfg.Plugins = &plugins.Config{} // no moderation chain: this test is about the token
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	req, _ := http.NewRequest("POST", a.URL()+"/api/rooms", strings.NewReader(`{"id":"made-by-cli"}`))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating a room with the command's moderator token: %d", resp.StatusCode)
	}
}
