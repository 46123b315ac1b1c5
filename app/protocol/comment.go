package protocol

import (
	"strconv"
	"time"
)

// User is the author of a comment as clients see it.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Comment is a stored comment as it travels to clients.
type Comment struct {
	ID        int64     `json:"id"`
	Room      string    `json:"room"`
	Seq       int64     `json:"seq,omitempty"` // 0 (left out) for comments not in the room's stream
	Time      Seconds   `json:"time"`
	Text      string    `json:"text"`
	Mode      string    `json:"mode"`
	Color     string    `json:"color"`
	Size      string    `json:"size"`
	User      User      `json:"user"`
	CreatedAt Timestamp `json:"created_at"`
	Likes     int64     `json:"likes"`
	// Weight is the comment's quality weight, 0 (worst, and left out) to
	// 10, which viewers' shield levels filter on (docs/protocol.md).
	Weight int `json:"weight,omitempty"`
	// Status is set only on moderator views; viewers only ever see visible comments.
	Status string `json:"status,omitempty"`
}

// Seconds is a video position stored as whole milliseconds, so that a time
// survives the round trip through storage exactly. It encodes as float seconds.
type Seconds int64

// SecondsOf converts float seconds (as video.currentTime gives them) to Seconds.
func SecondsOf(f float64) Seconds { return Seconds(f*1000 + 0.5) }

// Float returns the position in seconds.
func (s Seconds) Float() float64 { return float64(s) / 1000 }

// MarshalJSON encodes the position as seconds with up to three decimals.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, s.Float(), 'f', -1, 64), nil
}

// Timestamp is a wall-clock instant stored as Unix milliseconds. It encodes as
// an RFC 3339 string in UTC with millisecond precision.
type Timestamp int64

// TimestampOf converts t to a Timestamp.
func TimestampOf(t time.Time) Timestamp { return Timestamp(t.UnixMilli()) }

// Time returns the instant as a time.Time in UTC.
func (t Timestamp) Time() time.Time { return time.UnixMilli(int64(t)).UTC() }

// rfc3339Millis is RFC 3339 with exactly three fractional digits.
const rfc3339Millis = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON encodes the instant as an RFC 3339 string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(rfc3339Millis)+2)
	b = append(b, '"')
	b = t.Time().AppendFormat(b, rfc3339Millis)
	return append(b, '"'), nil
}

// UnmarshalJSON parses an RFC 3339 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var tt time.Time
	if err := tt.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = TimestampOf(tt)
	return nil
}

// UnmarshalJSON parses float seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*s = SecondsOf(f)
	return nil
}
