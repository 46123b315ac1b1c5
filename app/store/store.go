// Package store says what the services need from storage: the value types
// they exchange with it and one small interface per concern (Rooms,
// Comments, Likes, Feedback, Timeline, Moderation, Bans, Imports, Users,
// Sessions, Privacy, Health), which a backend implements. Services declare
// their own, narrower interfaces over these methods; app/store/sqlite is the
// SQLite backend.
//
// A backend must guarantee what the services and viewers rely on:
//
//   - A write is acknowledged only after it committed: AddComment's done,
//     Decide, the likes, bans and room creation return once the change is
//     durable, or with the error.
//   - Each room's visible comments take consecutive seqs (1, 2, 3 …) in
//     commit order; a comment that is held or shadowed takes none until it
//     is approved. Catch-up (CommentsAfter) relies on this.
//   - What commits reaches viewers in commit order: the backend hands each
//     committed change's Events to its OnCommit hook from one goroutine,
//     after the acknowledgements of that commit.
//   - Errors carry app/errs codes: a missing room or comment is NotFound,
//     a room that exists already or a decision on a comment in the wrong
//     state is Conflict, a full queue or a closing store is Unavailable.
package store

// Store is a whole storage backend as the server opens it. Bans are
// separate: a backend loads them (into memory, say) once the store is open.
type Store interface {
	Rooms
	Comments
	Likes
	Feedback
	Timeline
	Moderation
	Imports
	Users
	Sessions
	Privacy
	Health
	// Close commits every accepted write, delivers its outcome and
	// events, and releases the backend.
	Close() error
}
