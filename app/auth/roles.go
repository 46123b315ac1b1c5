package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Roles lists every role a token may carry, lowest first.
var Roles = []string{RoleViewer, RoleModerator, RoleAdmin}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

// ParseRoles splits comma-separated role lists (as given to -role, which may
// also repeat), drops duplicates and checks every role. No roles at all
// means viewer.
func ParseRoles(lists ...string) ([]string, error) {
	var out []string
	for _, list := range lists {
		for _, r := range strings.Split(list, ",") {
			r = strings.ToLower(strings.TrimSpace(r))
			if r == "" || slices.Contains(out, r) {
				continue
			}
			if !ValidRole(r) {
				return nil, fmt.Errorf("unknown role %q: roles are %s", r, strings.Join(Roles, ", "))
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = []string{RoleViewer}
	}
	return out, nil
}
