package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/danmaku/danmaku/app/auth"
)

// hs256 signs header and payload (raw JSON) with secret, however odd they are.
func hs256(header, payload []byte) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// checkAccepted fails unless an identity Verify accepted meets Danmaku's rules.
func checkAccepted(t *testing.T, id auth.Identity, exp time.Time) {
	t.Helper()
	if id.ID == "" || id.Name == "" {
		t.Fatalf("accepted an identity without id or name: %+v", id)
	}
	for _, r := range id.Roles {
		if !auth.ValidRole(r) || (id.Guest && r != auth.RoleViewer) {
			t.Fatalf("accepted role %q (guest %v)", r, id.Guest)
		}
	}
	if time.Until(exp) < -10*time.Second {
		t.Fatalf("accepted a token that expired at %s", exp)
	}
}

// FuzzVerify feeds arbitrary strings to the token parser: it must never
// panic, and whatever it accepts must carry a valid signature by our secret.
func FuzzVerify(f *testing.F) {
	s := auth.NewSigner(secret)
	good, err := s.Issue(auth.Identity{ID: "u1", Name: "Alice", Roles: []string{"moderator"}}, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		good, "", ".", "..", "a.b.c", good + ".", good[:len(good)-2], strings.ToUpper(good),
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSIsIm5hbWUiOiJBIn0.",
		"eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, exp, err := s.Verify(token)
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 || hs256Raw(parts[0], parts[1]) != parts[2] {
			t.Fatalf("accepted %q, whose signature is not ours", token)
		}
		checkAccepted(t, id, exp)
	})
}

func hs256Raw(header, payload string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(header + "." + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// FuzzVerifyClaims signs arbitrary headers and claims with the real secret,
// so the fuzzer reaches the claim checks: only HS256 headers and complete,
// current, well-formed claims may pass.
func FuzzVerifyClaims(f *testing.F) {
	exp := time.Now().Add(24 * time.Hour).Unix()
	for _, seed := range []struct{ header, payload string }{
		{`{"alg":"HS256","typ":"JWT"}`, `{"sub":"u1","name":"Alice","roles":["moderator"],"exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256"}`, `{"sub":"g-1","name":"guest-1","roles":["viewer"],"guest":true,"exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice","roles":["moderator"],"guest":true,"exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice","exp":1}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice"}`},
		{`{"alg":"HS256"}`, `{"sub":"","name":"Alice","exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice","roles":"admin","exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice","exp":"tomorrow"}`},
		{`{"alg":"HS256"}`, `{"sub":"u1","name":"Alice","exp":1e400}`},
		{`{"alg":"HS512"}`, `{"sub":"u1","name":"Alice","exp":` + itoa(exp) + `}`},
		{`{"alg":"none"}`, `{"sub":"u1","name":"Alice","exp":` + itoa(exp) + `}`},
		{`{"alg":"HS256","crit":["x"]}`, `[]`},
		{`null`, `null`},
	} {
		f.Add([]byte(seed.header), []byte(seed.payload))
	}
	s := auth.NewSigner(secret)
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		id, expiry, err := s.Verify(hs256(header, payload))
		if err != nil {
			return
		}
		var h struct{ Alg string }
		if json.Unmarshal(header, &h) != nil || h.Alg != "HS256" {
			t.Fatalf("accepted header %q", header)
		}
		checkAccepted(t, id, expiry)
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
