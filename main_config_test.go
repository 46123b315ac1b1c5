package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestServeFromConfigFile starts the binary with its settings in a YAML
// file, one of them overridden from the environment, and checks that it
// listens where the environment says, uses the database and seed setting
// the file names, and is ready.
func TestServeFromConfigFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "from-file.db")
	config := filepath.Join(dir, "danmaku.yaml")
	yaml := "addr: 127.0.0.1:1\ndb: " + db + "\nlog-level: error\nseed-demo: false\n"
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The environment (DANMAKU_ADDR) wins over the file's unusable address.
	base, exit := serveInProcess(t, ctx, []string{"-config", config}, io.Discard)

	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the file's database was not created: %v", err)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status string }
	err = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || h.Status != "ok" {
		t.Fatalf("readyz: %d %+v %v", resp.StatusCode, h, err)
	}
	resp, err = http.Get(base + "/api/rooms/demo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("demo room: %d, want 404 (seed-demo: false in the file)", resp.StatusCode)
	}
	cancel()
	waitExit(t, exit)
}
