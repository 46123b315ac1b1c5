package sqlite

import "time"

// userTouchEvery is how fresh users.last_seen is kept: a user who keeps
// commenting is upserted at most once per interval, not once per comment,
// which takes a statement off most inserts under load.
const userTouchEvery = time.Minute

// maxTouchedUsers bounds the cache; past it, stale entries are dropped.
const maxTouchedUsers = 100_000

// touchedUsers remembers which users the writer has recorded lately and
// under which name. Only the writer's goroutine uses it, and only with what
// has committed, so a rolled-back batch never hides a user's row.
type touchedUsers map[string]userTouch

type userTouch struct {
	name string
	at   time.Time
}

// fresh reports whether id was recorded under name within userTouchEvery of now.
func (t touchedUsers) fresh(id, name string, now time.Time) bool {
	u, ok := t[id]
	return ok && u.name == name && now.Sub(u.at) < userTouchEvery
}

// remember records the users a committed batch touched.
func (t touchedUsers) remember(batch map[string]string, at time.Time) {
	if len(t)+len(batch) > maxTouchedUsers {
		for id, u := range t {
			if at.Sub(u.at) >= userTouchEvery {
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
