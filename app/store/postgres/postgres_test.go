package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/internal/pgtest"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
	"github.com/danmaku/danmaku/app/store/postgres"
	"github.com/danmaku/danmaku/app/store/storetest"
	"github.com/jackc/pgx/v5"
)

const waitFor = 30 * time.Second

// TestNodesStartingTogetherMigrateOnce opens two stores on a new database
// at the same moment, as two nodes starting together would: both open,
// the migrations ran once, and exactly one of them created the schema.
func TestNodesStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.DB(t)
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			stores[i], errs[i] = postgres.Open(context.Background(), postgres.Options{URL: url, Migrations: migrations})
		}()
	}
	close(start)
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		t.Cleanup(func() { s.Close() })
	}
	if stores[0].Created() == stores[1].Created() {
		t.Fatalf("created the schema: node 0 %v, node 1 %v; want exactly one", stores[0].Created(), stores[1].Created())
	}
	conn := connect(t, url)
	var applied int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if entries, err := migrationFiles(); err != nil || applied != entries {
		t.Fatalf("goose recorded %d migrations, want each of the %d once (%v)", applied, entries, err)
	}
	for i, s := range stores {
		if pending, err := s.Pending(context.Background()); err != nil || len(pending) != 0 {
			t.Fatalf("node %d: pending %v, %v", i, pending, err)
		}
	}
}

// migrationFiles counts the PostgreSQL migrations.
func migrationFiles() (int, error) {
	entries, err := fsGlob("*.sql")
	return len(entries), err
}

// connect opens a connection of the test's own, closed when it ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestNodesWritingOneRoomKeepItsSeqsGapless has two stores, as two nodes,
// write to the same rooms at once: the seqs of each room, over both, run
// 1…n with no gap or repeat, and each node's events carry its own
// comments in seq order.
func TestNodesWritingOneRoomKeepItsSeqsGapless(t *testing.T) {
	const nodes, senders, each = 2, 8, 60
	url := pgtest.DB(t)
	events := make([]*storetest.Recorder, nodes)
	stores := make([]*postgres.Store, nodes)
	for i := range stores {
		events[i] = &storetest.Recorder{}
		stores[i] = open(t, url, batch.Options{OnCommit: events[i].Add})
	}
	ctx := context.Background()
	for _, room := range []string{"a", "b"} {
		if _, err := stores[0].CreateRoom(ctx, store.Room{ID: room, Title: room, Kind: store.KindLive}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	acked := make(chan protocol.Comment, nodes*senders*each)
	for n, s := range stores {
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					room := []string{"a", "b"}[(i+j)%2]
					c, err := add(ctx, s, room, fmt.Sprintf("node %d sender %d #%d", n, i, j))
					if err != nil {
						t.Error(err)
						return
					}
					acked <- c
				}
			}()
		}
	}
	wg.Wait()
	close(acked)
	seqs := map[string][]int64{}
	for c := range acked {
		seqs[c.Room] = append(seqs[c.Room], c.Seq)
	}
	for room, got := range seqs {
		slices.Sort(got)
		for i, seq := range got {
			if seq != int64(i+1) {
				t.Fatalf("room %s: seqs %v… over both nodes, want 1…%d with no gap or repeat", room, got[:i+1], len(got))
			}
		}
		r, err := stores[1].Room(ctx, room)
		if err != nil || r.LastSeq != int64(len(got)) || r.CommentCount != int64(len(got)) {
			t.Fatalf("room %+v, %v; want last_seq %d", r, err, len(got))
		}
	}
	// Every comment was u's: the sender's record, which both nodes' inserts
	// count into, counts each one once.
	var accepted int64
	if err := postgres.SQLDB(stores[0]).QueryRow(`SELECT accepted FROM users WHERE id = 'u'`).Scan(&accepted); err != nil || accepted != nodes*senders*each {
		t.Fatalf("u's record counts %d comments shown (%v), want %d", accepted, err, nodes*senders*each)
	}
	for n, ev := range events {
		perRoom := map[string][]int64{}
		for _, c := range ev.Take().Comments {
			perRoom[c.Room] = append(perRoom[c.Room], c.Seq)
		}
		total := 0
		for room, s := range perRoom {
			total += len(s)
			if !slices.IsSorted(s) {
				t.Errorf("node %d published room %s's seqs out of order: %v", n, room, s)
			}
		}
		if total != senders*each {
			t.Errorf("node %d published %d comments, want its own %d", n, total, senders*each)
		}
	}
}

// add stores a visible comment in room and waits for its outcome.
func add(ctx context.Context, s *postgres.Store, room, text string) (protocol.Comment, error) {
	type result struct {
		c   protocol.Comment
		err error
	}
	done := make(chan result, 1)
	err := s.AddComment(ctx, store.NewComment{Room: room, User: protocol.User{ID: "u", Name: "U"},
		Draft: protocol.Draft{Text: text, Mode: "scroll", Color: "#ffffff", Size: "medium"}},
		func(c protocol.Comment, err error) { done <- result{c, err} })
	if err != nil {
		return protocol.Comment{}, err
	}
	select {
	case r := <-done:
		return r.c, r.err
	case <-time.After(waitFor):
		return protocol.Comment{}, errors.New("no answer")
	}
}

// TestACommitWithAnUnknownOutcomeIsNeverAcked breaks the writer's
// connection right after it sent a batch, so the writer cannot know
// whether the server committed it (the server may have, or may have rolled
// it back when the writer, giving up, cancelled it). The sender gets
// Unavailable, never a success; the batch is not retried, so it is stored
// at most once; and the store carries on over a new connection, the room's
// seqs still gapless.
func TestACommitWithAnUnknownOutcomeIsNeverAcked(t *testing.T) {
	url := pgtest.DB(t)
	p, s := behindProxy(t, url)
	ctx := context.Background()
	// The first comment prepares the writer's statements, so that the cut
	// falls on the batch itself, not on preparing it.
	if _, err := add(ctx, s, "r", "first"); err != nil {
		t.Fatal(err)
	}
	p.cut.Store(true)
	if _, err := add(ctx, s, "r", "lost in the mail"); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("the comment whose commit went unanswered: %v, want unavailable", err)
	}
	<-p.cutten
	// The server got the whole batch: wait until it is done with it.
	conn := connect(t, url)
	settled := func() bool {
		var busy int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		return busy == 0
	}
	for deadline := time.Now().Add(waitFor); !settled(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server never finished the unanswered batch")
		}
	}
	var stored int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM comments WHERE text = 'lost in the mail'`).Scan(&stored); err != nil || stored > 1 {
		t.Fatalf("the unanswered comment is stored %d times (%v), want at most once: never retried", stored, err)
	}
	c, err := add(ctx, s, "r", "next")
	if err != nil || c.Seq != 2+stored {
		t.Fatalf("the next comment: %+v, %v; want seq %d, right after what the unanswered batch stored", c, err, 2+stored)
	}
}

// behindProxy opens a store on the database at url through a proxy, with
// room r.
func behindProxy(t *testing.T, url string) (*proxy, *postgres.Store) {
	t.Helper()
	p, viaProxy := newProxy(t, url)
	s := open(t, viaProxy, batch.Options{})
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	return p, s
}

// TestAnUnreachableDatabaseAnswersUnavailableAndRecovers: while the
// database cannot be reached, writes and readiness fail with Unavailable
// and nothing is acked; once it is back, the store works again by itself.
func TestAnUnreachableDatabaseAnswersUnavailableAndRecovers(t *testing.T) {
	url := pgtest.DB(t)
	p, s := behindProxy(t, url)
	ctx := context.Background()
	p.setDown(true)
	if _, err := add(ctx, s, "r", "while down"); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("a comment while the database is down: %v, want unavailable", err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ready(short); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("Ready while the database is down: %v, want unavailable", err)
	}
	p.setDown(false)
	c, err := add(ctx, s, "r", "back")
	if err != nil || c.Seq != 1 {
		t.Fatalf("a comment once the database is back: %+v, %v; want seq 1", c, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready once the database is back: %v", err)
	}
}

// TestTextPostgresCannotHoldFailsAlone: a NUL character, which SQLite
// stores and PostgreSQL cannot, fails its own comment with Invalid and
// leaves the comments it shares a batch with alone.
func TestTextPostgresCannotHoldFailsAlone(t *testing.T) {
	s := open(t, pgtest.DB(t), batch.Options{})
	ctx := context.Background()
	if _, err := s.CreateRoom(ctx, store.Room{ID: "r", Title: "R", Kind: store.KindLive}); err != nil {
		t.Fatal(err)
	}
	release := storetest.Hold(t, s.Writer)
	type outcome struct {
		c   protocol.Comment
		err error
	}
	results := make([]chan outcome, 3)
	for i, text := range []string{"before", "nul \x00 byte", "after"} {
		results[i] = make(chan outcome, 1)
		if err := s.AddComment(ctx, store.NewComment{Room: "r", User: protocol.User{ID: "u", Name: "U"},
			Draft: protocol.Draft{Text: text, Mode: "scroll", Color: "#ffffff", Size: "medium"}},
			func(c protocol.Comment, err error) { results[i] <- outcome{c, err} }); err != nil {
			t.Fatal(err)
		}
	}
	release()
	before, bad, after := <-results[0], <-results[1], <-results[2]
	if errs.CodeOf(bad.err) != errs.Invalid {
		t.Fatalf("the NUL comment: %v, want invalid", bad.err)
	}
	if before.err != nil || after.err != nil || before.c.Seq != 1 || after.c.Seq != 2 {
		t.Fatalf("its neighbours: %+v, %+v; want seqs 1 and 2", before, after)
	}
}
