package store

import (
	"context"
	"time"

	"github.com/danmaku/danmaku/app/protocol"
)

// Report reasons a viewer may give.
const (
	ReasonSpam    = "spam"
	ReasonSpoiler = "spoiler"
	ReasonAbuse   = "abuse"
	ReasonAds     = "ads"
	ReasonOther   = "other"
)

// ReportReasons lists the reasons, in the order the pages offer them.
var ReportReasons = []string{ReasonSpam, ReasonSpoiler, ReasonAbuse, ReasonAds, ReasonOther}

// NeutralWeight is the weight of a comment nothing is known about.
const NeutralWeight = 5

// QualitySignals is what a comment's quality weight is computed from (see
// Weigher).
type QualitySignals struct {
	Text    string
	Likes   int64
	Reports int64 // distinct viewers' reports not reviewed yet
	// Sender is false when the sender has no record here (an imported
	// comment); the fields below are then zero.
	Sender   bool
	Accepted int64         // the sender's comments shown now
	Removed  int64         // the sender's comments moderators removed
	Age      time.Duration // how long the server has known the sender
}

// Weigher computes a quality weight from 0 to 10. A backend calls it when
// it stores a comment and whenever the comment's likes or reports change.
type Weigher func(QualitySignals) int

// WeightChange is a visible comment's new quality weight.
type WeightChange struct {
	Room      string
	CommentID int64
	Weight    int
}

// Liked is what one viewer liked in a room.
type Liked struct {
	Room     bool    `json:"room"`     // the room's video
	Comments []int64 `json:"comments"` // visible comments, by id
}

// NewReport is a viewer's report of a comment.
type NewReport struct {
	CommentID int64
	UserID    string
	Reason    string // one of ReportReasons
	IP        string
	// HideAt is how many distinct viewers' reports hide a visible comment
	// pending review (it becomes held); 0 never hides.
	HideAt int
}

// ReportResult is what a report did.
type ReportResult struct {
	Comment ModComment // as it is now, with Reports and Reasons
	Added   bool       // false when this viewer had reported it already
	Hidden  bool       // this report hid it
}

// Feedback is what viewers do to other comments besides liking them, and
// what moderators do with reports.
type Feedback interface {
	// UnlikeComment takes back userID's like of a visible comment and
	// returns its like count; unliking what was not liked changes nothing.
	// A comment that is not visible is NotFound. When rooms is not nil,
	// the comment must be in one of them (Forbidden otherwise), as for
	// LikeComment.
	UnlikeComment(ctx context.Context, commentID int64, userID string, rooms []string) (LikeChange, error)
	// LikedBy returns what userID liked in room: the video, and visible
	// comments, at most limit of them (the newest likes).
	LikedBy(ctx context.Context, room, userID string, limit int) (Liked, error)
	// ReportComment records a report of a visible comment, once per
	// viewer; past r.HideAt distinct reporters the comment is held and
	// retracted from viewers. Reporting one's own comment is Invalid; a
	// comment that is not visible is NotFound. Moderators hear of it
	// (Events.Moderated).
	ReportComment(ctx context.Context, r NewReport) (ReportResult, error)
	// RecallComment deletes userID's own comment, if it was stored at or
	// after since: a visible one is retracted from every viewer, a
	// shadowed one from its sender. Someone else's comment is Forbidden,
	// an older one Conflict, a deleted or unknown one NotFound.
	RecallComment(ctx context.Context, commentID int64, userID string, since time.Time) (ModComment, error)
	// ReportedComments returns the comments with reports not reviewed
	// yet, visible or held, most reported first, with their Reasons: of
	// one room, or of every room when room is empty.
	ReportedComments(ctx context.Context, room string, limit int) ([]ModComment, error)
	// DismissReports marks the reports of comments ids reviewed without
	// changing the comments, and returns those that had any, as they are
	// now. An unknown id is NotFound.
	DismissReports(ctx context.Context, ids []int64, by string) ([]ModComment, error)
}

// HeatBin is one second of a room's timeline and how many visible
// comments fall in it.
type HeatBin struct {
	Second int64
	Count  int64
}

// HeatQuery selects what a heat curve counts: a room's visible comments
// with seq <= UpTo, by video time, or, when Since is set, by when they
// were stored, in seconds after Since.
type HeatQuery struct {
	Room  string
	UpTo  int64
	Since protocol.Timestamp
}

// Timeline reads how a room's comments spread over time.
type Timeline interface {
	// HeatBins counts q's comments per second, in order of Second;
	// seconds without comments are left out.
	HeatBins(ctx context.Context, q HeatQuery) ([]HeatBin, error)
}
