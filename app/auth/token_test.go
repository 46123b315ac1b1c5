package auth_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/danmaku/danmaku/app/auth"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// sign signs arbitrary claims with method and key, for tokens Issue would never make.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueAndVerify(t *testing.T) {
	s := auth.NewSigner(secret)
	id := auth.Identity{ID: "u1", Name: "Alice", Roles: []string{auth.RoleModerator}}
	token, err := s.Issue(id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, exp, err := s.Verify(token)
	if err != nil || got.ID != id.ID || got.Name != id.Name || !slices.Equal(got.Roles, id.Roles) || got.Guest {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if d := time.Until(exp); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("expires in %s", d)
	}
}

func TestSessionTokens(t *testing.T) {
	s := auth.NewSigner(secret)
	id := auth.Identity{ID: "g-1", Name: "guest-1", Roles: []string{auth.RoleViewer}, Guest: true}
	exp := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	tok, err := s.IssueSession(id, "sid-1", exp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Parse(tok)
	if err != nil || got.Session != "sid-1" || got.Identity.ID != id.ID || !got.Expires.Equal(exp) || got.IssuedAt.IsZero() {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
	plain, err := s.Issue(id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Parse(plain); err != nil || got.Session != "" {
		t.Fatalf("a sessionless token parsed as %+v, %v", got, err)
	}
	if _, err := s.IssueSession(id, "", exp); err == nil {
		t.Fatal("IssueSession without a session id succeeded")
	}
	long := sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{
		"sub": "u1", "name": "A", "exp": exp.Unix(), "jti": strings.Repeat("x", auth.MaxSessionIDLen+1),
	})
	if _, err := s.Parse(long); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("an overlong session id: %v, want ErrInvalidToken", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	s := auth.NewSigner(secret)
	future := time.Now().Add(time.Hour).Unix()
	good := jwt.MapClaims{"sub": "u1", "name": "Alice", "exp": future, "iat": time.Now().Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	guestMod := with("roles", []string{"moderator"})
	guestMod["guest"] = true
	for _, tc := range []struct {
		name    string
		token   string
		expired bool
	}{
		{"empty", "", false},
		{"garbage", "a.b.c", false},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte("another secret, another secret!!"), good), false},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good), false},
		{"alg HS384 with our secret", sign(t, jwt.SigningMethodHS384, secret, good), false},
		{"alg HS512 with our secret", sign(t, jwt.SigningMethodHS512, secret, good), false},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, with("exp", nil)), false},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, with("exp", time.Now().Add(-time.Minute).Unix())), true},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, secret, with("iat", time.Now().Add(time.Hour).Unix())), false},
		{"no sub", sign(t, jwt.SigningMethodHS256, secret, with("sub", nil)), false},
		{"no name", sign(t, jwt.SigningMethodHS256, secret, with("name", nil)), false},
		{"roles not a list", sign(t, jwt.SigningMethodHS256, secret, with("roles", "admin")), false},
		{"unknown role", sign(t, jwt.SigningMethodHS256, secret, with("roles", []string{"root"})), false},
		{"guest moderator", sign(t, jwt.SigningMethodHS256, secret, guestMod), false},
		{"too long", strings.Repeat("a", auth.MaxTokenLen+1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, _, err := s.Verify(tc.token)
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", id, err)
			}
			if errors.Is(err, auth.ErrExpired) != tc.expired {
				t.Fatalf("err = %v; expired should be %v", err, tc.expired)
			}
		})
	}
}

func TestParseRoles(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
		err  bool
	}{
		{nil, []string{"viewer"}, false},
		{[]string{"moderator"}, []string{"moderator"}, false},
		{[]string{"admin, Moderator", "viewer", "admin"}, []string{"admin", "moderator", "viewer"}, false},
		{[]string{"moderator,,"}, []string{"moderator"}, false},
		{[]string{"owner"}, nil, true},
	} {
		got, err := auth.ParseRoles(tc.in...)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRoles(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckNickname(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Al", "Al"}, {"Alice", "Alice"}, {"  Alice  ", "Alice"}, {"张伟", "张伟"}, {"José María", "José María"},
		{"ナルト_99", "ナルト_99"}, {"a.b-c", "a.b-c"}, {"Zoë", "Zoë"}, {"admins rule", "admins rule"}, {"badminton", "badminton"},
		{"two  spaces", "two spaces"}, // PRECIS collapses inner spaces
		{"Ｂｏｂ", "Bob"},                // and shows fullwidth letters as plain ones
		{"Ваня", "Ваня"},              // Cyrillic is welcome where it looks like no reserved name
	} {
		if got, err := auth.CheckNickname(tc.in); err != nil || got != tc.want {
			t.Errorf("CheckNickname(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "a", strings.Repeat("w", 25), "admin", "ADMIN", "Ad_min", "mod", "m.o.d", "Moderator",
		"system", "guest-4f2a", "Guest 00ff", "a\u202eb", "a\u200bb", "a\u00adb", "tab\tx", "new\nline",
		"emoji😀", "<b>", "a\"b", "---", "\xff\xfe"} {
		if got, err := auth.CheckNickname(bad); err == nil {
			t.Errorf("CheckNickname(%q) = %q, want refused", bad, got)
		}
	}
}

// TestLookAlikeNicknamesAreRefused: names that look like a reserved one,
// through another script, compatibility forms or digits for letters, are
// refused like the reserved name itself (UTS #39 skeletons).
func TestLookAlikeNicknamesAreRefused(t *testing.T) {
	for _, tc := range []struct{ name, looksLike string }{
		{"Ｍod", "fullwidth M"},
		{"ＡＤＭＩＮ", "fullwidth ADMIN"},
		{"аdmin", "Cyrillic а"},
		{"Ѕystem", "Cyrillic Ѕ"},
		{"sуstem", "Cyrillic у"},
		{"Admіn", "Cyrillic і"},
		{"ɑdmin", "Latin alpha"},
		{"r00t", "zeros for o"},
		{"M0D", "a zero for O"},
		{"𝓂𝑜𝒹", "mathematical letters"},
		{"Μοd", "Greek Μ and ο"},
		{"ѕtaff", "Cyrillic ѕ"},
		{"gueѕt-4f2a", "a guest name with Cyrillic ѕ"},
		{"rnod", "rn for m"},
	} {
		t.Run(tc.looksLike, func(t *testing.T) {
			if got, err := auth.CheckNickname(tc.name); err == nil {
				t.Errorf("CheckNickname(%q) = %q, want refused", tc.name, got)
			}
		})
	}
	if auth.NameKey("Ｍod") != auth.NameKey("mod") || auth.NameKey("Alice") == auth.NameKey("Alicia") {
		t.Error("NameKey does not tell look-alikes from different names")
	}
}
