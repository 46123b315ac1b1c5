package batch

import "github.com/danmaku/danmaku/app/store"

// empty reports whether a batch changed nothing viewers must hear about.
func empty(e *store.Events) bool {
	return len(e.Comments) == 0 && len(e.Likes) == 0 && len(e.Retracts) == 0 && len(e.Moderated) == 0 && len(e.Weights) == 0
}

// merge appends o's events to e's, keeping commit order.
func merge(e *store.Events, o store.Events) {
	e.Comments = append(e.Comments, o.Comments...)
	e.Likes = append(e.Likes, o.Likes...)
	e.Retracts = append(e.Retracts, o.Retracts...)
	e.Moderated = append(e.Moderated, o.Moderated...)
	e.Weights = append(e.Weights, o.Weights...)
}

// Retract adds r to e's retractions, merged with the last one when it goes
// to the same viewers.
func Retract(e *store.Events, r store.Retraction) {
	rs := e.Retracts
	if n := len(rs); n > 0 && rs[n-1].Room == r.Room && rs[n-1].User == r.User {
		rs[n-1].IDs = append(rs[n-1].IDs, r.IDs...)
		return
	}
	e.Retracts = append(rs, r)
}
