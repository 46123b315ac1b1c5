package client

import (
	"math/rand/v2"
	"time"
)

// backoff is the delay before reconnect attempt n (1 for the first): the
// capped exponential min·2ⁿ⁻¹, of which a jitter fraction is random, so
// that the clients of a restarted server do not all come back at once.
func (o *options) backoff(n int) time.Duration {
	d := o.backoffMin
	for i := 1; i < n && d < o.backoffMax; i++ {
		d *= 2
	}
	d = min(d, o.backoffMax)
	j := min(max(o.jitter, 0), 1)
	return time.Duration(float64(d)*(1-j) + float64(d)*j*rand.Float64())
}
