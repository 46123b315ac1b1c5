package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// checkpointEvery is how often the WAL is copied back into the database file.
const checkpointEvery = time.Second

// checkpointer runs the WAL checkpoints on a connection of its own, off the
// writer. A checkpoint fsyncs the database file; SQLite's automatic one
// runs inside the commit that crosses its threshold, so on a busy disk the
// writer, and every ack and fan-out behind it, would wait seconds for it.
// A passive checkpoint here runs beside the writer instead.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(path string, sync Sync, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open(driverName, dsn(path, sync, false))
	if err != nil {
		return nil, fmt.Errorf("store: opening %s for checkpoints: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	c := &checkpointer{db: db, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// PASSIVE never waits for the writer or readers: what it cannot
			// copy now, the next tick will.
			if err := c.checkpoint("PASSIVE"); err != nil {
				c.log.Warn("WAL checkpoint failed", "err", err)
			}
		}
	}
}

func (c *checkpointer) checkpoint(mode string) error {
	_, err := c.db.Exec("PRAGMA wal_checkpoint(" + mode + ")")
	return err
}

// close stops the ticker and, once the writer is done, folds the whole WAL
// into the database file, so a stopped server leaves one self-contained file.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	err := c.checkpoint("TRUNCATE")
	return errors.Join(err, c.db.Close())
}
