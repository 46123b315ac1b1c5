package batch

import "time"

// UserTouchEvery is how fresh users.last_seen is kept: a user who keeps
// commenting is upserted at most once per interval, not once per comment,
// which takes a statement (or a row of one) off most inserts under load.
const UserTouchEvery = time.Minute

// maxTouchedUsers bounds the cache; past it, stale entries are dropped.
const maxTouchedUsers = 100_000

// Users remembers which users a writer has recorded lately and under
// which name. Only the writer's goroutine uses it, and only with what has
// committed, so a rolled-back batch never hides a user's row.
type Users map[string]userTouch

type userTouch struct {
	name string
	at   time.Time
}

// Fresh reports whether id was recorded under name within UserTouchEvery of now.
func (t Users) Fresh(id, name string, now time.Time) bool {
	u, ok := t[id]
	return ok && u.name == name && now.Sub(u.at) < UserTouchEvery
}

// Remember records the users (id → name) a committed batch touched.
func (t Users) Remember(batch map[string]string, at time.Time) {
	if len(t)+len(batch) > maxTouchedUsers {
		for id, u := range t {
			if at.Sub(u.at) >= UserTouchEvery {
				delete(t, id)
			}
		}
		if len(t)+len(batch) > maxTouchedUsers {
			clear(t)
		}
	}
	for id, name := range batch {
		t[id] = userTouch{name: name, at: at}
	}
}
