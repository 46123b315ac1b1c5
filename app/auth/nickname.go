package auth

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mau.fi/util/confusable"
	"golang.org/x/text/secure/precis"
)

// Nickname bounds, in characters.
const (
	MinNicknameLen = 2
	MaxNicknameLen = 24
)

// reservedNames are names a guest may not take, nor anything that looks
// like one (see NameKey): "Admin", "ad-min", fullwidth "ＡＤＭＩＮ" and
// Cyrillic "аdmin" are all refused: a nickname must never pass for staff.
var reservedNames = []string{
	"admin", "administrator", "moderator", "mod", "mods",
	"root", "system", "danmaku", "staff", "official",
	"owner", "server", "support", "guest", "anonymous",
}

// reservedKeys are the NameKeys of reservedNames.
var reservedKeys = func() map[string]bool {
	keys := make(map[string]bool, len(reservedNames))
	for _, n := range reservedNames {
		keys[NameKey(n)] = true
	}
	return keys
}()

// ErrNickname explains what a nickname may contain.
var ErrNickname = errors.New("a nickname is 2 to 24 letters, digits, spaces, '_', '-' or '.', and may not be, or look like, a reserved name like admin or moderator")

// CheckNickname checks a nickname and returns it as it will be shown:
// enforced by the PRECIS Nickname profile (RFC 8266: compatibility forms
// such as fullwidth letters become plain ones, spaces are trimmed and
// collapsed), then letters (any script), marks, digits, single inner
// spaces and _ - . only, so no control, invisible or bidi characters can
// disguise it. A name that looks like a reserved one (the same NameKey) is
// refused, and so is one that looks like a generated guest name.
func CheckNickname(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", ErrNickname
	}
	name, err := precis.Nickname.String(raw)
	if err != nil {
		return "", ErrNickname
	}
	n := utf8.RuneCountInString(name)
	if n < MinNicknameLen || n > MaxNicknameLen {
		return "", ErrNickname
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && !strings.ContainsRune(" _-.", r) {
			return "", ErrNickname
		}
	}
	key := NameKey(name)
	if key == "" || reservedKeys[key] || isGuestName(key) {
		return "", ErrNickname
	}
	return name, nil
}

// NameKey folds a name to what it looks like, so that two names people
// could mistake for each other get the same key: the PRECIS Nickname form
// (RFC 8266: NFKC, so fullwidth and mathematical letters are plain ones),
// then the Unicode confusables skeleton (UTS #39: Cyrillic "а" is Latin
// "a", Greek "Μ" is "M", "0" is "O", "m" is "rn") of its upper case, then
// of that lowered (the skeleton is case-sensitive, and each case has
// look-alikes of its own: "I" is "l", "ο" is "o"), keeping letters and
// digits only, so that spacing, punctuation and accents do not tell names
// apart either.
func NameKey(name string) string {
	k, err := precis.Nickname.String(name)
	if err != nil {
		k = name
	}
	k = strings.ToLower(confusable.Skeleton(strings.ToUpper(k)))
	k = strings.ToLower(confusable.Skeleton(k))
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, k)
}

// guestKeyPrefix and guestKeyDigits are the NameKey forms of a generated
// guest name's "guest" and hexadecimal digits.
var (
	guestKeyPrefix = NameKey("guest")
	guestKeyDigits = NameKey("0123456789abcdef")
)

// isGuestName reports whether a NameKey is that of a generated guest name
// (guest-4f2a), which a nickname may not copy.
func isGuestName(key string) bool {
	rest, ok := strings.CutPrefix(key, guestKeyPrefix)
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if !strings.ContainsRune(guestKeyDigits, r) {
			return false
		}
	}
	return true
}
