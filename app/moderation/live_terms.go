package moderation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/protocol/modproto"
	"github.com/danmaku/danmaku/app/store"
)

// Bounds on blocked terms' expiry and on banning their users.
const (
	maxTermSpan     = 365 * 24 * time.Hour
	maxTermBanSpan  = 24 * 60 // minutes
	maxTermBanCheck = 5000    // comments one term ban reads back
)

// AddTerms blocks req's terms (Term and Terms), in force at once. Every
// term is checked before any is stored.
func (s *Service) AddTerms(ctx context.Context, by auth.Identity, req modproto.TermRequest) ([]store.BlockedTerm, error) {
	if s.live == nil {
		return nil, errNoLive
	}
	raw := req.Terms
	if req.Term != "" {
		raw = append([]string{req.Term}, raw...)
	}
	if len(raw) == 0 || len(raw) > modproto.MaxTermsAtOnce {
		return nil, errs.New(errs.Invalid, "send 1 to %d terms at once, got %d", modproto.MaxTermsAtOnce, len(raw))
	}
	ts := make([]store.BlockedTerm, len(raw))
	for i, r := range raw {
		t, err := s.checkTerm(r, req, by)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	active, err := s.deps.Live.ActiveTerms(ctx, s.live.now())
	if err != nil {
		return nil, err
	}
	if len(active)+len(ts) > maxTerms {
		return nil, errs.New(errs.Invalid, "at most %d blocked terms may be in force; %d are: remove some first", maxTerms, len(active))
	}
	defer s.liveChanged()
	for i, t := range ts {
		if ts[i], err = s.deps.Live.AddTerm(ctx, t, store.AuditEntry{By: by.ID, Room: t.Room, Action: "term_add", Detail: termDetail(t)}); err != nil {
			return ts[:i], err
		}
	}
	return ts, nil
}

// checkTerm checks one term of req.
func (s *Service) checkTerm(raw string, req modproto.TermRequest, by auth.Identity) (store.BlockedTerm, error) {
	t := store.BlockedTerm{Room: req.Room, Action: req.Action, CreatedBy: by.ID}
	var err error
	if t.Term, _, _, err = parseTerm(raw); err != nil {
		return t, err
	}
	switch t.Action {
	case "":
		t.Action = store.TermMask
	case store.TermMask, store.TermReject, store.TermHold:
	default:
		return t, errs.New(errs.Invalid, "action must be mask, reject or hold, got %q", req.Action)
	}
	if t.Room != "" {
		if err := protocol.CheckRoomID(t.Room); err != nil {
			return t, err
		}
	}
	if req.ExpiresIn != "" {
		d, err := parseSpan(req.ExpiresIn, maxTermSpan)
		if err != nil {
			return t, errs.New(errs.Invalid, "expires_in: %s", err.Message)
		}
		until := protocol.TimestampOf(s.live.now().Add(d))
		t.Until = &until
	}
	return t, nil
}

// termDetail says a blocked term in words, for the audit log.
func termDetail(t store.BlockedTerm) string {
	where := "every room"
	if t.Room != "" {
		where = "room " + t.Room
	}
	detail := fmt.Sprintf("blocked %q (%s) in %s", t.Term, t.Action, where)
	if t.Until != nil {
		detail += " until " + t.Until.Time().Format(time.RFC3339)
	}
	return detail
}

// RemoveTerm unblocks term id.
func (s *Service) RemoveTerm(ctx context.Context, by auth.Identity, id int64) (store.BlockedTerm, error) {
	return endLive(s, ctx, by, id, "blocked term", store.AuditEntry{Action: "term_remove", Detail: fmt.Sprintf("unblocked term %d", id)},
		func(ctx context.Context, id int64, e store.AuditEntry) (store.BlockedTerm, error) {
			return s.deps.Live.RemoveTerm(ctx, id, e)
		})
}

// endLive ends the live tools' row id (a user action, a blocked term) by
// end, audited as e by moderator by.
func endLive[T any](s *Service, ctx context.Context, by auth.Identity, id int64, what string, e store.AuditEntry,
	end func(context.Context, int64, store.AuditEntry) (T, error)) (T, error) {
	var zero T
	if s.live == nil {
		return zero, errNoLive
	}
	if id <= 0 {
		return zero, errs.New(errs.Invalid, "id must be a %s id", what)
	}
	e.By = by.ID
	v, err := end(ctx, id, e)
	if err != nil {
		return v, err
	}
	s.liveChanged()
	return v, nil
}

// eachRecent calls fn with the comments q selects, newest first, a page at
// a time, until fn says stop or read comments have been read.
func (s *Service) eachRecent(ctx context.Context, q store.RecentQuery, read int, fn func(store.ModComment) (stop bool)) error {
	q.Limit = maxDecisionIDs
	for n := 0; n < read; {
		page, err := s.deps.Store.RecentComments(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range page {
			if fn(c) {
				return nil
			}
		}
		n += len(page)
		if len(page) < q.Limit {
			return nil
		}
		q.Before = page[len(page)-1].ID
	}
	return nil
}

// BanTermUsers bans everyone who used blocked term id in the last
// req.Minutes: in the term's room (or everywhere, for a term of every
// room). A comment counts when its stored text has the term, or when the
// term masked or held it (its note says so). Moderators are never banned.
func (s *Service) BanTermUsers(ctx context.Context, by auth.Identity, id int64, req modproto.TermBanRequest) (modproto.TermBanResult, error) {
	res := modproto.TermBanResult{Bans: []store.Ban{}}
	if s.live == nil {
		return res, errNoLive
	}
	if req.Minutes < 1 || req.Minutes > maxTermBanSpan {
		return res, errs.New(errs.Invalid, "minutes must be 1 to %d", maxTermBanSpan)
	}
	now := s.live.now()
	terms, err := s.deps.Live.ActiveTerms(ctx, now)
	if err != nil {
		return res, err
	}
	i := slices.IndexFunc(terms, func(t store.BlockedTerm) bool { return t.ID == id })
	if i < 0 {
		return res, errs.New(errs.NotFound, "blocked term %d is not in force", id)
	}
	term, ok := compileTerm(terms[i])
	if !ok {
		return res, errs.New(errs.Invalid, "blocked term %d cannot be matched", id)
	}
	users, err := s.termUsers(ctx, term, now.Add(-time.Duration(req.Minutes)*time.Minute))
	if err != nil {
		return res, err
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		reason = fmt.Sprintf("used the blocked term %q", term.Term)
	}
	for _, u := range users {
		if u == by.ID {
			continue
		}
		r, err := s.Ban(ctx, by, modproto.BanRequest{UserID: u, Room: term.Room, Reason: reason, Duration: req.Duration})
		if err != nil {
			return res, err
		}
		res.Bans = append(res.Bans, r.Ban)
	}
	s.audit(ctx, store.AuditEntry{By: by.ID, Room: term.Room, Action: "term_ban",
		Detail: fmt.Sprintf("banned %d users who used %q in the last %d minutes", len(res.Bans), term.Term, req.Minutes)})
	return res, nil
}

// termUsers returns the senders (not moderators' own comments) of the
// comments since since that used term.
func (s *Service) termUsers(ctx context.Context, term compiledTerm, since time.Time) ([]string, error) {
	mark := fmt.Sprintf("term #%d ", term.ID)
	seen := map[string]bool{}
	var users []string
	err := s.eachRecent(ctx, store.RecentQuery{Room: term.Room}, maxTermBanCheck, func(c store.ModComment) bool {
		if c.CreatedAt.Time().Before(since) {
			return true
		}
		if !seen[c.User.ID] && c.User.ID != "" && (strings.Contains(c.Note, mark) || len(term.match(words(c.Text))) > 0) {
			seen[c.User.ID] = true
			users = append(users, c.User.ID)
		}
		return false
	})
	return users, err
}
