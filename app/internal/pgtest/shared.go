package pgtest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared returns the test binary's server, starting it on first use. When
// PostgreSQL is not installed the test is skipped, unless CI=true, where
// it fails: CI installs it, and a missing engine must not pass quietly.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = Start(Options{}) })
	switch {
	case errors.Is(shared.err, ErrNoPostgres) && os.Getenv("CI") != "true":
		t.Skip(shared.err)
	case shared.err != nil:
		t.Fatal(shared.err)
	}
	return shared.srv
}

// DB creates a fresh, empty database on the shared server for t, dropped
// when t ends, and returns its URL.
func DB(t testing.TB) string {
	t.Helper()
	s := Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := s.CreateDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropDB(ctx, name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return s.URL(name)
}

// Main runs the tests and then stops the shared server, if they started
// it: call it from TestMain, as os.Exit(pgtest.Main(m)). Without it the
// watchdog stops the server once the test binary exits.
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			os.Stderr.WriteString("pgtest: stopping the server: " + err.Error() + "\n")
		}
	}
	return code
}
