package feedback_test

import (
	"context"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/feedback"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
)

// fakeStore keeps comments' send times and applies RecallComment's rule
// (stored at or after since), recording what the service asked.
type fakeStore struct {
	sent    map[int64]time.Time
	reports []store.NewReport
	since   time.Time
}

func (f *fakeStore) UnlikeComment(context.Context, int64, string, []string) (store.LikeChange, error) {
	return store.LikeChange{}, nil
}
func (f *fakeStore) LikedBy(context.Context, string, string, int) (store.Liked, error) {
	return store.Liked{Comments: []int64{7}}, nil
}
func (f *fakeStore) ReportComment(_ context.Context, r store.NewReport) (store.ReportResult, error) {
	f.reports = append(f.reports, r)
	return store.ReportResult{Added: true}, nil
}
func (f *fakeStore) RecallComment(_ context.Context, id int64, _ string, since time.Time) (store.ModComment, error) {
	f.since = since
	at, ok := f.sent[id]
	switch {
	case !ok:
		return store.ModComment{}, errs.New(errs.NotFound, "no comment %d", id)
	case at.Before(since):
		return store.ModComment{}, errs.New(errs.Conflict, "too old")
	}
	return store.ModComment{Comment: protocol.Comment{ID: id, Status: string(store.Deleted)}}, nil
}
func (f *fakeStore) ReportedComments(context.Context, string, int) ([]store.ModComment, error) {
	return nil, nil
}
func (f *fakeStore) DismissReports(context.Context, []int64, string) ([]store.ModComment, error) {
	return nil, nil
}

var viewer = auth.Identity{ID: "u1", Name: "Viewer"}

// TestRecallWindow: a comment can be recalled for two minutes after it was
// sent, to the millisecond, and the refusal after that says why.
func TestRecallWindow(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		age  time.Duration
		code errs.Code // "" when the recall works
	}{
		{"just sent", 0, ""},
		{"a minute ago", time.Minute, ""},
		{"one millisecond inside the window", feedback.RecallWindow - time.Millisecond, ""},
		{"exactly two minutes ago", feedback.RecallWindow, ""},
		{"one millisecond too late", feedback.RecallWindow + time.Millisecond, errs.Conflict},
		{"an hour ago", time.Hour, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{sent: map[int64]time.Time{1: now.Add(-tc.age)}}
			svc := feedback.New(feedback.Deps{Store: st, Now: func() time.Time { return now }})
			_, err := svc.Recall(context.Background(), viewer, 1)
			if !st.since.Equal(now.Add(-feedback.RecallWindow)) {
				t.Errorf("asked the store for comments since %v, want %v", st.since, now.Add(-feedback.RecallWindow))
			}
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("recall: %v, want it to work", err)
			case tc.code != "" && (err == nil || errs.CodeOf(err) != tc.code):
				t.Fatalf("recall: %v, want %s", err, tc.code)
			case tc.code == errs.Conflict && errs.From(err).Message != "comments can only be recalled within 2 minutes of sending":
				t.Errorf("refusal says %q", errs.From(err).Message)
			}
		})
	}
	if feedback.RecallWindow != 2*time.Minute {
		t.Errorf("RecallWindow = %s, want Bilibili's 2 minutes", feedback.RecallWindow)
	}
}

// TestRequestsAreChecked: bad ids, reasons and id lists never reach the
// store; a report carries the threshold it may hide at.
func TestRequestsAreChecked(t *testing.T) {
	ctx := context.Background()
	st := &fakeStore{}
	svc := feedback.New(feedback.Deps{Store: st, HideAt: 4})
	for _, tc := range []struct {
		name string
		call func() error
		code errs.Code
	}{
		{"report without a reason", func() error { _, err := svc.Report(ctx, viewer, "", 1, ""); return err }, errs.Invalid},
		{"report with an unknown reason", func() error { _, err := svc.Report(ctx, viewer, "", 1, "boring"); return err }, errs.Invalid},
		{"report of comment 0", func() error { _, err := svc.Report(ctx, viewer, "", 0, "spam"); return err }, errs.BadRequest},
		{"unlike of comment -1", func() error { _, err := svc.Unlike(ctx, nil, -1, viewer); return err }, errs.BadRequest},
		{"recall of comment 0", func() error { _, err := svc.Recall(ctx, viewer, 0); return err }, errs.BadRequest},
		{"dismiss nothing", func() error { _, err := svc.Dismiss(ctx, viewer, nil); return err }, errs.Invalid},
		{"dismiss too many", func() error { _, err := svc.Dismiss(ctx, viewer, make([]int64, 501)); return err }, errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil || errs.CodeOf(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	if len(st.reports) != 0 {
		t.Fatalf("bad reports reached the store: %+v", st.reports)
	}
	for _, reason := range store.ReportReasons {
		if _, err := svc.Report(ctx, viewer, "192.0.2.1", 9, reason); err != nil {
			t.Fatalf("report for %s: %v", reason, err)
		}
	}
	if r := st.reports[0]; len(st.reports) != len(store.ReportReasons) || r.HideAt != 4 || r.UserID != viewer.ID || r.IP != "192.0.2.1" || r.CommentID != 9 {
		t.Errorf("the store got %+v, want every reason, by the viewer, hiding at 4", st.reports)
	}
	if liked, _ := svc.Liked(ctx, "r", auth.Identity{}); len(liked.Comments) != 0 {
		t.Errorf("nobody liked %v, want nothing without asking the store", liked)
	}
}
