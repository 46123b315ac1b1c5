package main

import (
	"context"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/apptest"
	"github.com/danmaku/danmaku/app/cli"
)

// TestTheBinaryCarriesPostgresMigrations migrates a PostgreSQL database
// with the migrations embedded in the binary, as `danmaku migrate -db
// postgres://… up` would.
func TestTheBinaryCarriesPostgresMigrations(t *testing.T) {
	db := apptest.PostgresDB(t)
	var stdout, stderr strings.Builder
	code := cli.Main(context.Background(), []string{"migrate", "-db", db, "up"},
		cli.IO{Env: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}, embedded())
	if code != 0 || !strings.Contains(stdout.String(), "applied 00001_init.sql") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the embedded PostgreSQL migrations applied", code, stdout.String(), stderr.String())
	}
}
