package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Rate is "N comments per duration", written "5/10s" or "1/s"; "off" or
// "0" disables the limit. A bucket holds N tokens and refills in Per.
type Rate struct {
	N   int
	Per time.Duration
}

// Enabled reports whether the rate limits anything.
func (r Rate) Enabled() bool { return r.N > 0 }

// String writes the rate as it is configured.
func (r Rate) String() string {
	if !r.Enabled() {
		return "off"
	}
	return fmt.Sprintf("%d/%v", r.N, r.Per)
}

// UnmarshalText parses "N/duration"; a bare unit means one of it ("5/s").
func (r *Rate) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "off" || s == "0" {
		*r = Rate{}
		return nil
	}
	ns, per, ok := strings.Cut(s, "/")
	if !ok {
		return fmt.Errorf("%q is not a rate like 5/10s", s)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q: count must be a positive integer", s)
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q: period must be a positive duration like 10s", s)
	}
	*r = Rate{N: n, Per: d}
	return nil
}

// limiter returns a token bucket for the rate.
func (r Rate) limiter() *rate.Limiter {
	return rate.NewLimiter(rate.Limit(float64(r.N)/r.Per.Seconds()), r.N)
}
