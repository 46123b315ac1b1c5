package httpapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout bounds a readiness check; a database slower than this is
// not ready for traffic either.
const readyTimeout = 2 * time.Second

// health is the body of /healthz and /readyz.
type health struct {
	Status string            `json:"status"` // ok, or unavailable
	Checks map[string]string `json:"checks,omitempty"`
}

// healthz answers 200 while the process is alive and serving HTTP.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(health{Status: "ok"})
}

// readyz answers 200 only when the server should get traffic: it is not
// shutting down, it is not short of file descriptors (connection cap
// reached, accept out of descriptors, nine in ten open), the database takes
// a real write, and every migration this binary has is applied. Otherwise
// 503, with what failed. On a cluster node it also reports Redis, but a
// Redis outage keeps 200: the node still serves its sockets and other
// nodes' comments reach them through the database, and every node shares
// one Redis, so a 503 would take the whole cluster out of the balancer.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	h := health{Status: "ok", Checks: map[string]string{"database": "ok", "migrations": "ok", "descriptors": "ok"}}
	fail := func(check, problem string) {
		h.Status, h.Checks[check] = "unavailable", problem
	}
	if s.deps.Draining() {
		fail("server", "shutting down")
	}
	if s.deps.Pressure != nil {
		if p := s.deps.Pressure(); p != "" {
			fail("descriptors", p)
		}
	}
	if err := s.deps.Store.Ready(ctx); err != nil {
		fail("database", "not writable: "+err.Error())
	}
	switch pending, err := s.deps.Store.Pending(ctx); {
	case err != nil:
		fail("migrations", "cannot be read: "+err.Error())
	case len(pending) > 0:
		files := make([]string, len(pending))
		for i, m := range pending {
			files[i] = m.File
		}
		fail("migrations", fmt.Sprintf("%d pending: %s", len(pending), strings.Join(files, ", ")))
	}
	if s.deps.Redis != nil {
		h.Checks["redis"] = "ok"
		if err := s.deps.Redis(); err != nil {
			h.Checks["redis"] = "degraded: " + err.Error()
		}
	}
	if h.Status != "ok" {
		s.log.Warn("not ready", "checks", h.Checks)
		return c.Status(fiber.StatusServiceUnavailable).JSON(h)
	}
	return c.JSON(h)
}
