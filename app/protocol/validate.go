package protocol

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danmaku/danmaku/app/errs"
)

// Comment display modes.
const (
	ModeScroll = "scroll"
	ModeTop    = "top"
	ModeBottom = "bottom"
)

// Comment sizes.
const (
	SizeSmall  = "small"
	SizeMedium = "medium"
	SizeLarge  = "large"
)

// Defaults applied when a client leaves a field out.
const (
	DefaultMode  = ModeScroll
	DefaultColor = "#ffffff"
	DefaultSize  = SizeMedium
)

// MaxTime bounds a comment's video time (about 31 years), which keeps the
// millisecond value far inside int64 and rules out absurd inputs.
const MaxTime = 1e9

// Limits are the configurable bounds on comment input.
type Limits struct {
	MinRunes int // after trimming; at least 1
	MaxRunes int
}

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{MinRunes: 1, MaxRunes: 100}

// Draft is a validated, normalised comment that has not been stored yet.
type Draft struct {
	Text  string
	Time  Seconds
	Mode  string
	Color string
	Size  string
}

var (
	roomIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	colorPattern  = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// ValidRoomID reports whether id is an acceptable room id.
func ValidRoomID(id string) bool { return roomIDPattern.MatchString(id) }

// CheckRoomID returns an Invalid error naming the rule when id is not acceptable.
func CheckRoomID(id string) error {
	if !ValidRoomID(id) {
		return errs.New(errs.Invalid, "room id must match ^[A-Za-z0-9_-]{1,64}$")
	}
	return nil
}

// Validate checks in against l and returns the normalised draft. Errors are
// *errs.Error with code Invalid and a message that names the field.
func (l Limits) Validate(in CommentInput) (Draft, error) {
	if err := CheckIdempotencyKey(in.IdempotencyKey); err != nil {
		return Draft{}, err
	}
	text, err := l.text(in.Text)
	if err != nil {
		return Draft{}, err
	}
	d := Draft{Text: text, Mode: in.Mode, Color: strings.ToLower(in.Color), Size: in.Size}
	if in.Time != nil {
		t := *in.Time
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 || t > MaxTime {
			return Draft{}, errs.New(errs.Invalid, "time must be a number of seconds from 0 to %g", float64(MaxTime))
		}
		d.Time = SecondsOf(t)
	}
	switch d.Mode {
	case "":
		d.Mode = DefaultMode
	case ModeScroll, ModeTop, ModeBottom:
	default:
		return Draft{}, errs.New(errs.Invalid, "mode must be scroll, top or bottom")
	}
	switch {
	case d.Color == "":
		d.Color = DefaultColor
	case !colorPattern.MatchString(d.Color):
		return Draft{}, errs.New(errs.Invalid, "color must look like #rrggbb")
	}
	switch d.Size {
	case "":
		d.Size = DefaultSize
	case SizeSmall, SizeMedium, SizeLarge:
	default:
		return Draft{}, errs.New(errs.Invalid, "size must be small, medium or large")
	}
	return d, nil
}

// MaxIdempotencyKeyLen bounds a comment's idempotency key, in bytes.
const MaxIdempotencyKeyLen = 64

// CheckIdempotencyKey accepts an empty key (none) or 1 to 64 printable
// ASCII characters, e.g. a UUID: the key is stored with the comment.
func CheckIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKeyLen {
		return errs.New(errs.Invalid, "idempotency_key must be at most %d characters", MaxIdempotencyKeyLen)
	}
	for i := range len(key) {
		if key[i] <= ' ' || key[i] > '~' {
			return errs.New(errs.Invalid, "idempotency_key must be printable ASCII without spaces")
		}
	}
	return nil
}

func (l Limits) text(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", errs.New(errs.Invalid, "text is not valid UTF-8")
	}
	text := strings.TrimSpace(raw)
	n := utf8.RuneCountInString(text)
	if n < max(l.MinRunes, 1) || n > l.MaxRunes {
		return "", errs.New(errs.Invalid, "text must be %d to %d characters", max(l.MinRunes, 1), l.MaxRunes)
	}
	for _, r := range text {
		if unicode.IsControl(r) {
			return "", errs.New(errs.Invalid, "text must not contain control characters")
		}
	}
	return text, nil
}
