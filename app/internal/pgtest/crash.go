package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
)

// Crash stops the server at once, as a crash would: pg_ctl -m immediate,
// no checkpoint, every connection dropped. Restart brings it back.
func (s *Server) Crash() error {
	return s.pgCtl("-m", "immediate", "-w", "stop")
}

// Restart starts a stopped server again with the settings and on the
// port of its last run (pg_ctl reads them from postmaster.opts); it
// recovers from its WAL as after a crash.
func (s *Server) Restart() error {
	return s.pgCtl("-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "restart")
}

func (s *Server) pgCtl(args ...string) error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	args = append([]string{"-D", filepath.Join(s.dir, "data")}, args...)
	if out, err := asPostgres(filepath.Join(bin, "pg_ctl"), args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pgtest: pg_ctl %v: %w: %s\n%s", args, err, out, log)
	}
	return nil
}
