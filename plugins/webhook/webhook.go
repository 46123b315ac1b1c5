package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/danmaku/danmaku/plugins"
)

// Name is the name the plugin registers under.
const Name = "webhook"

func init() { plugins.Register(Name, New) }

// DefaultSecretEnv is the environment variable holding the secret unless
// the entry's secret_env names another.
const DefaultSecretEnv = "DANMAKU_WEBHOOK_SECRET"

// maxAnswer bounds the answer read from a receiver.
const maxAnswer = 64 << 10

// Config is the plugin's config block.
type Config struct {
	// URL is where comments are POSTed (http or https).
	URL string `yaml:"url"`
	// SecretEnv names the environment variable holding the HMAC secret.
	SecretEnv string `yaml:"secret_env"`
	// MaxConns is how many connections to the receiver are kept open for
	// reuse (default 64).
	MaxConns int `yaml:"max_conns"`
}

// Webhook is the plugin.
type Webhook struct {
	cfg    Config
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

var (
	_ plugins.Moderator   = (*Webhook)(nil)
	_ plugins.Configurer  = (*Webhook)(nil)
	_ plugins.Provisioner = (*Webhook)(nil)
	_ plugins.Isolated    = (*Webhook)(nil)
	_ plugins.Closer      = (*Webhook)(nil)
)

// New returns a Webhook with the default config.
func New() plugins.Moderator {
	return &Webhook{cfg: Config{SecretEnv: DefaultSecretEnv, MaxConns: 64}, now: time.Now}
}

// Configure decodes the block, reads the secret from the environment and
// prepares a client that keeps connections open.
func (w *Webhook) Configure(raw plugins.RawConfig) error {
	if err := raw.Decode(&w.cfg); err != nil {
		return err
	}
	u, err := url.Parse(w.cfg.URL)
	switch {
	case w.cfg.URL == "":
		return plugins.FieldErrorf("url", "is required: where to POST comments")
	case err != nil:
		return plugins.FieldErrorf("url", "%v", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return plugins.FieldErrorf("url", "must be an http:// or https:// URL, got %q", w.cfg.URL)
	case w.cfg.MaxConns < 1:
		return plugins.FieldErrorf("max_conns", "must be at least 1, got %d", w.cfg.MaxConns)
	case w.cfg.SecretEnv == "":
		return plugins.FieldErrorf("secret_env", "must name an environment variable")
	}
	secret := os.Getenv(w.cfg.SecretEnv)
	if secret == "" {
		return plugins.FieldErrorf("secret_env", "$%s is not set: the HMAC secret comes from the environment, never from the config file", w.cfg.SecretEnv)
	}
	w.url, w.secret = u.String(), []byte(secret)
	w.client = &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        w.cfg.MaxConns,
			MaxIdleConnsPerHost: w.cfg.MaxConns,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		// A redirect is an answer the contract does not have: a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return nil
}

// Provision takes the host's clock for the signature's timestamp.
func (w *Webhook) Provision(h plugins.Host) error {
	w.now = h.Now
	return nil
}

// Isolated reports true: the receiver is another service, so the chain
// puts a circuit breaker in front of it.
func (w *Webhook) Isolated() bool { return true }

// Close drops the kept connections.
func (w *Webhook) Close() error {
	if w.client != nil {
		w.client.CloseIdleConnections()
	}
	return nil
}

// Moderate POSTs the comment and maps the answer onto a verdict.
func (w *Webhook) Moderate(ctx context.Context, c plugins.Comment) (plugins.Verdict, error) {
	body, err := json.Marshal(Request{Version: Version, Comment: wireComment(c)})
	if err != nil {
		return plugins.Verdict{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return plugins.Verdict{}, err
	}
	ts := w.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "danmaku-webhook/"+strconv.Itoa(Version))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return plugins.Verdict{}, fmt.Errorf("%w: no answer from the receiver in time", plugins.ErrTimeout)
		}
		return plugins.Verdict{}, err
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	_ = resp.Body.Close() // read to the end first, so the connection is reused
	if err != nil {
		return plugins.Verdict{}, fmt.Errorf("reading the answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return plugins.Allow(), nil
	case resp.StatusCode != http.StatusOK:
		return plugins.Verdict{}, fmt.Errorf("the receiver answered %s: %s", resp.Status, snippet(answer))
	case len(answer) > maxAnswer:
		return plugins.Verdict{}, fmt.Errorf("the answer is over %d bytes", maxAnswer)
	}
	return verdict(c, answer)
}

// verdict maps a 200 answer onto a verdict.
func verdict(c plugins.Comment, answer []byte) (plugins.Verdict, error) {
	var r Response
	if err := json.Unmarshal(answer, &r); err != nil {
		return plugins.Verdict{}, fmt.Errorf("malformed answer %s: %w", snippet(answer), err)
	}
	switch r.Action {
	case "allow":
		return plugins.Allow(), nil
	case "reject":
		return plugins.Reject(r.Reason), nil
	case "hold":
		return plugins.Hold(r.Reason), nil
	case "shadow":
		return plugins.Shadow(r.Reason), nil
	case "rewrite":
		if r.Comment == nil {
			return plugins.Verdict{}, errors.New(`malformed answer: a rewrite without "comment"`)
		}
		return plugins.Rewrite(r.Comment.apply(c), r.Reason), nil
	}
	return plugins.Verdict{}, fmt.Errorf(`malformed answer: action %q (want allow, rewrite, reject, hold or shadow)`, r.Action)
}

// apply returns c with the rewrite's changes.
func (r *Rewrite) apply(c plugins.Comment) plugins.Comment {
	c = c.Clone()
	if r.Text != nil {
		c.Text = *r.Text
	}
	if r.Time != nil {
		c.Time = *r.Time
	}
	if r.Mode != nil {
		c.Mode = plugins.Mode(*r.Mode)
	}
	if r.Color != nil {
		c.Color = *r.Color
	}
	if r.Size != nil {
		c.Size = plugins.Size(*r.Size)
	}
	for k, v := range r.Metadata {
		if c.Metadata == nil {
			c.Metadata = map[string]string{}
		}
		c.Metadata[k] = v
	}
	return c
}

func wireComment(c plugins.Comment) Comment {
	out := Comment{
		Room: c.Room, User: User{ID: c.User.ID, Name: c.User.Name, Roles: c.User.Roles},
		Text: c.Text, Time: c.Time, Mode: string(c.Mode), Color: c.Color, Size: string(c.Size), Metadata: c.Metadata,
	}
	if out.User.Roles == nil {
		out.User.Roles = []string{}
	}
	if c.IP.IsValid() {
		out.IP = c.IP.String()
	}
	return out
}

// snippet quotes the start of an answer for an error message.
func snippet(b []byte) string {
	const n = 120
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}
