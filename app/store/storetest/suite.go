// Package storetest is the conformance suite of store backends: what
// package store promises (ack after commit, gapless seqs in commit order,
// events in commit order, likes once per user, moderation, bans, imports
// and their undo, exports, replay reads) tested through the store's own
// API, so that SQLite and PostgreSQL pass the very same tests. A backend's
// test calls Run with a Backend that opens fresh databases.
package storetest

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/banlist"
)

// waitFor bounds every wait on an event.
const waitFor = 30 * time.Second

// Backend makes the databases the suite tests.
type Backend struct {
	// New makes a fresh, empty database for t and returns what opens it.
	New func(t *testing.T) Opener
}

// Opener opens a store over one database, migrating it; each call opens
// the same database again, as a restarted server would. The store is
// closed when the test ends (closing it earlier is fine).
type Opener func(t *testing.T, h Hooks) Store

// Hooks are the writer options a test sets.
type Hooks struct {
	OnCommit func(store.Events)
	Observe  func(store.Commit)
	Weigh    store.Weigher
}

// Store is a backend's store as the suite drives it.
type Store interface {
	store.Store
	// LoadBlocklist loads the bans in force; now judges expiry.
	LoadBlocklist(ctx context.Context, now func() time.Time) (*banlist.List, error)
	// Hold occupies the writer with an op that waits until release is
	// called, so that ops submitted meanwhile queue and commit together.
	Hold(t *testing.T) (release func())
	// Fail queues an op that fails its whole batch the way a storage
	// error does, and returns the channel its outcome comes on.
	Fail(t *testing.T, err error) <-chan error
	// Exec runs a write statement through the writer, for tests that
	// tamper with rows ($1 placeholders).
	Exec(t *testing.T, query string, args ...any)
	// SQL reads the database, for rows the API does not show ($1
	// placeholders).
	SQL() *sql.DB
}

// Run runs the whole suite against b.
func Run(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Backend)
	}{
		{"QueuedOpsCommitAsOneBatch", testQueuedOpsCommitAsOneBatch},
		{"ABadOpFailsAloneAndSeqsStayGapless", testABadOpFailsAlone},
		{"CloseCommitsEverythingAccepted", testCloseCommitsEverythingAccepted},
		{"AddCommentAnswersOnceAfterCommit", testAddCommentAnswersOnceAfterCommit},
		{"WriterStatsCountCommits", testWriterStatsCountCommits},
		{"ObserverSeesEveryTransaction", testObserverSeesEveryTransaction},
		{"RepeatUserIsRecordedOncePerInterval", testRepeatUserIsRecordedOncePerInterval},
		{"RolledBackBatchDoesNotHideAUser", testRolledBackBatchDoesNotHideAUser},
		{"ConcurrentSendersGetGaplessSeqsInEventOrder", testConcurrentSendersGetGaplessSeqs},
		{"HostileTextIsStoredVerbatim", testHostileTextIsStoredVerbatim},
		{"ResendsAreDuplicates", testResends},
		{"ClaimName", testClaimName},
		{"Rooms", testRooms},
		{"ReplayReads", testReplayReads},
		{"EachVisiblePagesInTimeOrder", testEachVisible},
		{"CommentSpan", testCommentSpan},
		{"Likes", testLikes},
		{"ModeratorDecisions", testModeratorDecisions},
		{"ShadowedCommentsReplayToTheirAuthorOnly", testShadowedReplay},
		{"CommentsAndAnApprovalInOneBatch", testMixedBatch},
		{"HeldAndRecentQueues", testHeldAndRecent},
		{"PurgeCandidates", testPurgeCandidates},
		{"BlocklistLookup", testBlocklistLookup},
		{"BlocklistWritesThroughAndLifts", testBlocklistWritesThroughAndLifts},
		{"ImportStoresEverythingInOrderWithoutFanOut", testImportInOrder},
		{"AFailedImportUndoesItselfAlone", testFailedImportUndoesItselfAlone},
		{"ImportsCommitInChunksBetweenOtherWrites", testImportsCommitInChunks},
		{"UnfinishedImportsAreUndoneAtStart", testUnfinishedImportsAreUndone},
		{"PurgePassesOverImportedComments", testPurgePassesOverImported},
		{"Health", testHealth},
		{"WeightsFollowLikesAndTheSendersRecord", testWeights},
		{"LikedBy", testLikedBy},
		{"ReportsHidePastTheThreshold", testReports},
		{"Recall", testRecall},
		{"HeatBins", testHeatBins},
		{"SessionRecords", testSessionRecords},
		{"EraseAddresses", testEraseAddresses},
		{"EraseUser", testEraseUser},
		{"ErasingTwoUsersWithTheSameIdempotencyKey", testErasingTwoUsersWithTheSameIdempotencyKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, b)
		})
	}
}

// open opens a fresh store with room "r" (vod).
func open(t *testing.T, b Backend, h Hooks) Store {
	t.Helper()
	s := b.New(t)(t, h)
	if _, err := s.CreateRoom(context.Background(), store.Room{ID: "r", Title: "R", Kind: store.KindVOD}); err != nil {
		t.Fatal(err)
	}
	return s
}

// Recorder collects every event a writer publishes: its Add is an
// OnCommit hook.
type Recorder struct {
	mu sync.Mutex
	ev store.Events
}

// Add records ev.
func (r *Recorder) Add(ev store.Events) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ev.Comments = append(r.ev.Comments, ev.Comments...)
	r.ev.Likes = append(r.ev.Likes, ev.Likes...)
	r.ev.Retracts = append(r.ev.Retracts, ev.Retracts...)
	r.ev.Moderated = append(r.ev.Moderated, ev.Moderated...)
	r.ev.Weights = append(r.ev.Weights, ev.Weights...)
}

// Take returns what was published since the last Take.
func (r *Recorder) Take() store.Events {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.ev
	r.ev = store.Events{}
	return ev
}

// draft is a comment at video time ms.
func draft(text string, ms int64) protocol.Draft {
	return protocol.Draft{Text: text, Time: protocol.Seconds(ms), Mode: "scroll", Color: "#ffffff", Size: "medium"}
}

// result is a comment's outcome.
type result struct {
	c   protocol.Comment
	err error
}

// send queues c and returns the channel its outcome comes on.
func send(t *testing.T, s Store, c store.NewComment) <-chan result {
	t.Helper()
	done := make(chan result, 1)
	if err := s.AddComment(context.Background(), c, func(got protocol.Comment, err error) { done <- result{got, err} }); err != nil {
		t.Fatal(err)
	}
	return done
}

// wait returns the outcome on done, failing the test when none comes.
func wait(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(waitFor):
		t.Fatalf("no answer within %v", waitFor)
		return result{}
	}
}

// put stores a comment in room r with status by user (from 192.0.2.1)
// and returns it.
func put(t *testing.T, s Store, text string, status store.Status, user string) protocol.Comment {
	t.Helper()
	return putAt(t, s, "r", text, 1000, status, user)
}

// putAt stores a comment at video time ms in room with status by user.
func putAt(t *testing.T, s Store, room, text string, ms int64, status store.Status, user string) protocol.Comment {
	t.Helper()
	r := wait(t, send(t, s, store.NewComment{Room: room, Draft: draft(text, ms),
		User: protocol.User{ID: user, Name: user}, Status: status, IP: "192.0.2.1"}))
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.c
}

// ids returns the comments' ids.
func ids(cs []protocol.Comment) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// waitQueued waits until n ops wait for the writer.
func waitQueued(t *testing.T, s Store, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for s.WriterStats().Queued < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d ops queued, want %d", s.WriterStats().Queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}
