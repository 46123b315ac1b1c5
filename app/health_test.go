package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app"
	"github.com/danmaku/danmaku/app/apptest"
)

type healthBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz fetches /readyz and returns its status and body.
func readyz(t *testing.T, s *testServer) (int, healthBody) {
	t.Helper()
	var h healthBody
	status := call(t, httpClient(t), "GET", s.URL()+"/readyz", nil, &h)
	return status, h
}

func TestHealthz(t *testing.T) {
	s := startServer(t)
	var h healthBody
	if status := call(t, httpClient(t), "GET", s.URL()+"/healthz", nil, &h); status != http.StatusOK || h.Status != "ok" {
		t.Fatalf("healthz: %d %+v", status, h)
	}
}

func TestReadyz(t *testing.T) {
	s := startServer(t)
	status, h := readyz(t, s)
	if status != http.StatusOK || h.Status != "ok" || h.Checks["database"] != "ok" || h.Checks["migrations"] != "ok" {
		t.Fatalf("readyz: %d %+v", status, h)
	}
}

// TestReadyzWithPendingMigrations runs a server whose binary gains a
// migration after the database was migrated, as when a new binary's files
// sit next to a database an old one migrated.
func TestReadyzWithPendingMigrations(t *testing.T) {
	dir := t.TempDir()
	src := "../migrations" // the engine's own: SQLite's at the root, PostgreSQL's in a folder there
	if apptest.OnPostgres() {
		src = "../migrations/postgres"
	}
	files, err := filepath.Glob(filepath.Join(src, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := startServer(t, func(c *app.Config) { c.Migrations, c.PostgresMigrations = os.DirFS(dir), os.DirFS(dir) })
	if status, h := readyz(t, s); status != http.StatusOK {
		t.Fatalf("before: %d %+v", status, h)
	}
	extra := "-- +goose Up\nCREATE TABLE extra (x INTEGER);\n-- +goose Down\nDROP TABLE extra;\n"
	if err := os.WriteFile(filepath.Join(dir, "00099_extra.sql"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	status, h := readyz(t, s)
	if status != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Checks["migrations"] != "1 pending: 00099_extra.sql" || h.Checks["database"] != "ok" {
		t.Fatalf("after: %d %+v", status, h)
	}
	if !strings.Contains(h.Checks["migrations"], "00099") {
		t.Fatal("the pending migration is not named")
	}
}
