package app

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/danmaku/danmaku/app/auth"
	"github.com/danmaku/danmaku/app/errs"
	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
)

// sender is who submits a comment or joins a room, from where, and through
// which API.
type sender struct {
	auth.Identity
	IP  netip.Addr // the client's address; invalid when unknown
	Via string     // "ws", "rest", …: which API, for plugins (metadata "via")
}

// The APIs comments come through, as plugins see them in metadata "via".
const (
	viaWS   = "ws"
	viaREST = "rest"
)

// from is the socket's user as a sender.
func (c *client) from() sender { return sender{Identity: c.identity(), IP: c.addr, Via: viaWS} }

// admit runs the room's join hooks for this socket, except for the room
// its handshake already admitted.
func (c *client) admit(ctx context.Context, room string) error {
	if c.admitted == room {
		c.admitted = ""
		return nil
	}
	return c.app.admit(ctx, room, c.from())
}

// clientAddr returns the request's client address, IPv4 unmapped.
func clientAddr(c *fiber.Ctx) netip.Addr {
	ip, err := netip.ParseAddr(c.IP())
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// addrString is the address as stored with comments ("" when unknown).
func addrString(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
}

// pluginConfig returns the plugin configuration to run: the file's when
// one is named, else the one given in Config, else the default chain.
func (a *App) pluginConfig() (*plugins.Config, error) {
	switch {
	case a.cfg.PluginsFile != "":
		cfg, err := plugins.LoadConfig(a.cfg.PluginsFile)
		if err != nil {
			return nil, pluginError(err)
		}
		return cfg, nil
	case a.cfg.Plugins != nil:
		return a.cfg.Plugins, nil
	}
	return plugins.DefaultConfig(), nil
}

// pluginError puts a (possibly multi-line) plugin config error on one
// line that starts with the setting's name, "plugins: ".
func pluginError(err error) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if !strings.HasPrefix(msg, "plugins: ") {
		msg = "plugins: " + msg
	}
	return errors.New(msg)
}

// checkPlugins builds cfg once with an empty ban list, so that a bad config
// stops start-up before the database is created or opened.
func (a *App) checkPlugins(cfg *plugins.Config) error {
	set, err := plugins.Build(cfg, a.cfg.PluginRegistry, plugins.BasicHost{Log: a.log, Blocks: noBans{}})
	if err != nil {
		return pluginError(err)
	}
	return set.Close()
}

// noBans is the empty ban list checkPlugins builds with.
type noBans struct{}

func (noBans) Lookup(context.Context, plugins.BlockQuery) (plugins.Block, bool, error) {
	return plugins.Block{}, false, nil
}

func (noBans) NonBlocking() bool { return true }

// startModeration loads the bans and builds the plugin chains.
func (a *App) startModeration(ctx context.Context, cfg *plugins.Config) error {
	var err error
	a.blocks, err = a.store.LoadBlocklist(ctx, nil)
	if err != nil {
		return err
	}
	host := plugins.BasicHost{Log: a.log.With("component", "plugins"), Blocks: a.blocks}
	a.plugins, err = plugins.NewPipeline(cfg, a.cfg.PluginRegistry, host)
	if err != nil {
		return pluginError(err)
	}
	a.feed = newModFeed(a)
	return nil
}

// stopModeration stops the moderators' feed and closes the plugins.
func (a *App) stopModeration() error {
	a.feed.close()
	return a.plugins.Close()
}

// ReloadPlugins re-reads the plugin configuration (the -plugins file, or
// the configuration the server started with) and swaps the new chains in
// without touching any connection. When the new configuration is bad, the
// running chains stay and the error (code invalid) says why.
func (a *App) ReloadPlugins(ctx context.Context) error {
	cfg, err := a.pluginConfig()
	if err == nil {
		err = a.plugins.Reload(cfg)
		if err != nil {
			err = pluginError(err)
		}
	}
	if err != nil {
		a.log.Error("plugin reload failed, the running chains stay", "err", err)
		return errs.Wrap(err, errs.Invalid, err.Error())
	}
	a.log.Info("moderation plugins reloaded", "file", a.cfg.PluginsFile)
	a.feed.noteStats()
	return nil
}

// verdict is how the host stores a comment that moderation let in.
type verdict struct {
	status store.Status
	reason string // for the sender of a held comment
	note   string // for moderators: "plugin: reason"
	plugin string // the plugin that decided, if one did (for metrics)
	failed bool   // that plugin failed (closed), or rewrote the comment into an invalid one
}

// moderate runs the room's chain on d. It returns the status to store d
// with, having applied the chain's rewrites to d, or a Rejected error with
// the reason to show the sender.
func (a *App) moderate(ctx context.Context, room string, from sender, d *protocol.Draft) (verdict, error) {
	res := a.plugins.Moderate(ctx, pluginComment(room, from, *d))
	if res.Err != nil {
		a.log.Warn("moderation failed closed", "plugin", res.Plugin, "room", room, "user", from.ID, "err", res.Err)
	}
	if res.Action == plugins.ActionReject {
		return verdict{plugin: res.Plugin, failed: res.Err != nil}, errs.New(errs.Rejected, "%s", or(res.Reason, "this comment was not accepted"))
	}
	if res.Action != plugins.ActionAllow {
		if err := a.rewrite(d, res); err != nil {
			return verdict{plugin: res.Plugin, failed: true}, err
		}
	}
	note := res.Plugin
	if res.Reason != "" {
		note += ": " + res.Reason
	}
	switch res.Action {
	case plugins.ActionHold:
		return verdict{status: store.Held, reason: or(res.Reason, "this comment waits for a moderator"), note: note, plugin: res.Plugin}, nil
	case plugins.ActionShadow:
		return verdict{status: store.Shadowed, note: note, plugin: res.Plugin}, nil
	}
	return verdict{status: store.Visible}, nil
}

// rewrite takes the chain's version of the comment into d, validated again:
// a plugin must not be able to store what a client could not send.
func (a *App) rewrite(d *protocol.Draft, res plugins.Result) error {
	c := res.Comment
	t := c.Time
	in := protocol.CommentInput{Text: c.Text, Time: &t, Mode: string(c.Mode), Color: c.Color, Size: string(c.Size)}
	next, err := a.limits.Validate(in)
	if err != nil {
		a.log.Error("a moderation plugin's rewrite is not a valid comment", "plugin", res.Plugin, "err", err)
		return errs.New(errs.Rejected, "this comment could not be checked right now, please try again")
	}
	if c.Time == d.Time.Float() {
		next.Time = d.Time // no float round trip for an unchanged time
	}
	*d = next
	return nil
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// pluginComment is d as plugins see it.
func pluginComment(room string, from sender, d protocol.Draft) plugins.Comment {
	return plugins.Comment{
		Room:     room,
		User:     pluginUser(from.Identity),
		IP:       from.IP,
		Text:     d.Text,
		Time:     d.Time.Float(),
		Mode:     plugins.Mode(d.Mode),
		Color:    d.Color,
		Size:     plugins.Size(d.Size),
		Metadata: map[string]string{"via": from.Via}, // a map per comment: plugins may mutate a clone only, but a buggy one must not race others
	}
}

func pluginUser(id auth.Identity) plugins.User {
	return plugins.User{ID: id.ID, Name: id.Name, Roles: id.Roles}
}

// admit asks the room's join hooks whether from may enter; a refusal is
// Forbidden with the plugin's reason.
func (a *App) admit(ctx context.Context, room string, from sender) error {
	jr := a.plugins.Join(ctx, plugins.Join{Room: room, User: pluginUser(from.Identity), IP: from.IP})
	if jr.Allowed {
		return nil
	}
	if jr.Err != nil {
		a.log.Warn("join check failed closed", "plugin", jr.Plugin, "room", room, "user", from.ID, "err", jr.Err)
	}
	return errs.New(errs.Forbidden, "%s", or(jr.Reason, "you may not join this room"))
}

// stored finishes a comment once its transaction committed: the sender's
// answer, the shadow illusion, and the moderators' feed.
func (a *App) stored(c protocol.Comment, nc store.NewComment, from sender, v verdict, done func(protocol.Comment, error)) {
	switch v.status {
	case store.Held:
		done(protocol.Comment{}, errs.New(errs.Held, "%s", v.reason))
	case store.Shadowed:
		done(c, nil)
		// Only the sender's own sockets in the room see it, as if it were live.
		a.hub.SendTo(c.Room, sameUser(from.ID), protocol.EncodeComments(c.Room, []protocol.Comment{c}))
	default:
		done(c, nil)
	}
	c.Status = string(v.status)
	a.feed.noteComments([]store.ModComment{{Comment: c, IP: nc.IP, Note: nc.Note}})
}

// sameUser matches the viewer sockets of user id.
func sameUser(id string) func(hub.Member) bool {
	return func(m hub.Member) bool {
		c, ok := m.(*client)
		return ok && c.identity().ID == id
	}
}

// retract tells viewers to drop the comments moderators removed.
func (a *App) retract(rs []store.Retraction) {
	for _, r := range rs {
		if r.User != "" {
			a.hub.SendTo(r.Room, sameUser(r.User), protocol.EncodeRetract(r.Room, r.IDs))
			continue
		}
		a.hub.PublishRetract(context.Background(), r.Room, r.IDs)
	}
}
