package decide

import (
	"time"

	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/app/store/batch"
)

// CheckReport refuses a report by userID of m (store.Feedback's
// ReportComment): a comment not visible is NotFound, one's own Invalid.
func CheckReport(m store.ModComment, userID string) error {
	switch {
	case m.Status != string(store.Visible):
		return errs.New(errs.NotFound, "comment %d does not exist", m.ID)
	case m.User.ID == userID:
		return errs.New(errs.Invalid, "you cannot report your own comment")
	}
	return nil
}

// CheckRecall refuses a recall by userID of m (store.Feedback's
// RecallComment): a deleted comment is NotFound, someone else's
// Forbidden, one stored before since Conflict.
func CheckRecall(m store.ModComment, userID string, since time.Time) error {
	switch {
	case m.Status == string(store.Deleted):
		return errs.New(errs.NotFound, "comment %d does not exist", m.ID)
	case m.User.ID != userID:
		return errs.New(errs.Forbidden, "you can only recall your own comments")
	case m.CreatedAt.Time().Before(since):
		return errs.New(errs.Conflict, "it is too late to recall this comment")
	}
	return nil
}

// Recall changes m as its sender's recall at now does (deleted, with its
// reports reviewed) and adds to ev what viewers and moderators must hear:
// a visible comment is retracted from every viewer, a shadowed one from
// its sender. It reports whether m was shown, so that the backend takes
// it off its room's count and its sender's record.
func Recall(m *store.ModComment, now protocol.Timestamp, ev *store.Events) (wasShown bool) {
	switch store.Status(m.Status) {
	case store.Visible:
		wasShown = true
		batch.Retract(ev, store.Retraction{Room: m.Room, IDs: []int64{m.ID}})
	case store.Shadowed:
		batch.Retract(ev, store.Retraction{Room: m.Room, IDs: []int64{m.ID}, User: m.User.ID})
	}
	at := now
	m.Status, m.Note, m.ModeratedAt, m.Reports = string(store.Deleted), NoteRecalled, &at, 0
	ev.Moderated = append(ev.Moderated, *m)
	return wasShown
}
