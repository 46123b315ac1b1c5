package auth

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Nickname bounds, in characters.
const (
	MinNicknameLen = 2
	MaxNicknameLen = 24
)

// reservedNames are names a guest may not take, compared after folding
// (lower case, letters and digits only), so "Admin", "ad-min" and "ADMIN_"
// are all refused: a nickname must never pass for staff.
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "moderator": true, "mod": true, "mods": true,
	"root": true, "system": true, "danmaku": true, "staff": true, "official": true,
	"owner": true, "server": true, "support": true, "guest": true, "anonymous": true,
}

// ErrNickname explains what a nickname may contain.
var ErrNickname = errors.New("a nickname is 2 to 24 letters, digits, spaces, '_', '-' or '.', and may not be a reserved name like admin or moderator")

// CheckNickname trims a nickname and checks it: letters (any script),
// marks, digits, single inner spaces and _ - . only, so no control,
// invisible or bidi characters can disguise it; reserved names are refused.
func CheckNickname(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", ErrNickname
	}
	name := strings.TrimSpace(raw)
	n := utf8.RuneCountInString(name)
	if n < MinNicknameLen || n > MaxNicknameLen || strings.Contains(name, "  ") {
		return "", ErrNickname
	}
	var folded strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			folded.WriteRune(unicode.ToLower(r))
		case unicode.IsMark(r), r == ' ', r == '_', r == '-', r == '.':
		default:
			return "", ErrNickname
		}
	}
	f := folded.String()
	if f == "" || reservedNames[f] || isGuestName(f) {
		return "", ErrNickname
	}
	return name, nil
}

// isGuestName reports whether a folded name looks like a generated guest
// name (guest-4f2a folds to guest4f2a), which a nickname may not copy.
func isGuestName(folded string) bool {
	rest, ok := strings.CutPrefix(folded, "guest")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}
