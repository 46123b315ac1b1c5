package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/danmaku/danmaku/app/hub"
	"github.com/danmaku/danmaku/app/metrics"
	"github.com/danmaku/danmaku/app/metrics/metricstest"
	"github.com/danmaku/danmaku/app/protocol"
	"github.com/danmaku/danmaku/app/store"
	"github.com/danmaku/danmaku/plugins"
	_ "github.com/danmaku/danmaku/plugins/wordfilter"
)

// member is the cheapest hub.Member: it drops what it is sent.
type member struct{}

func (member) Send([]byte) {}

// pipeline returns a real plugin pipeline built from yamlSrc.
func pipeline(t *testing.T, yamlSrc string) *plugins.Pipeline {
	t.Helper()
	cfg, err := plugins.ParseConfig([]byte(yamlSrc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugins.NewPipeline(cfg, nil, plugins.BasicHost{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestSeriesFollowPrometheusConventions(t *testing.T) {
	p := pipeline(t, `plugins: [{name: wordfilter, config: {words: [badword], action: reject}}]`)
	p.Moderate(context.Background(), plugins.Comment{Room: "r", Text: "hi"})
	m := metrics.New(metrics.Sources{
		Version: "test", Vias: []string{"ws"},
		Sockets:       func() (int, int) { return 2, 1 },
		Rooms:         func() int { return 1 },
		Writer:        func() store.WriterStats { return store.WriterStats{Queued: 3} },
		WriterQueueAt: 8192,
		Plugins:       p.Stats,
	})
	// Every labelled series once, so that each family is there to lint.
	m.CommentReceived("ws")
	m.CommentAccepted("ws")
	m.CommentRejected("ws", "invalid", "")
	m.Request("GET", "/api/rooms", 200, time.Millisecond)
	m.SocketClosed("slow")
	m.AuthFailed("invalid")
	m.Frame(hub.FrameComments, 2, 3)
	m.Commit(store.Commit{Ops: 1, Took: time.Millisecond})

	mf := metricstest.Gather(t, m.Gatherer())
	var ours []string
	for name := range mf.By {
		if strings.HasPrefix(name, "danmaku_") {
			ours = append(ours, name)
		}
	}
	if len(ours) < 20 {
		t.Fatalf("only %d danmaku_ families: %v", len(ours), ours)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if mf.By[name] == nil {
			t.Errorf("%s missing: the Go and process collectors belong on the registry", name)
		}
	}
	var fams []*dto.MetricFamily
	for _, name := range ours {
		fams = append(fams, mf.By[name])
	}
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	if got := mf.Value("danmaku_build_info", "version", "test"); got != 1 {
		t.Errorf("build_info = %v, want 1", got)
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"danmaku_sockets_open", []string{"kind", "viewer"}, 2},
		{"danmaku_sockets_open", []string{"kind", "moderator"}, 1},
		{"danmaku_rooms_active", nil, 1},
		{"danmaku_writer_queue_depth", nil, 3},
		{"danmaku_writer_queue_capacity", nil, 8192},
	}
	for _, c := range checks {
		if got := mf.Value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v (read from its source when scraped)", c.name, c.labels, got, c.want)
		}
	}
}

func TestEachRegistryIsItsOwn(t *testing.T) {
	a, b := metrics.New(metrics.Sources{}), metrics.New(metrics.Sources{})
	a.CommentAccepted("ws")
	if got := metricstest.Gather(t, b.Gatherer()).Sum("danmaku_comments_accepted_total"); got != 0 {
		t.Errorf("a second server sees %v accepted comments of the first's", got)
	}
}

func TestHubFramesBecomeDeliveriesAndBatchSizes(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	h := hub.New(hub.Options{Observer: m, BatchMax: time.Hour, WindowPerViewer: time.Hour, FlushEvery: time.Hour})
	defer h.Close()
	for range 3 {
		s, _, err := h.Join("room", member{})
		if err != nil {
			t.Fatal(err)
		}
		s.Release(0)
	}
	h.Flush()
	ctx := context.Background()
	h.PublishComments(ctx, []protocol.Comment{{ID: 1, Room: "room", Seq: 1}, {ID: 2, Room: "room", Seq: 2}})
	h.Flush()
	h.PublishComments(ctx, []protocol.Comment{{ID: 3, Room: "room", Seq: 3}})
	h.Flush()

	mf := metricstest.Gather(t, m.Gatherer())
	if got := mf.Value("danmaku_hub_frames_total", "kind", "comments"); got != 2 {
		t.Errorf("comments frames %v, want 2", got)
	}
	if got := mf.Value("danmaku_hub_deliveries_total", "kind", "comments"); got != 6 {
		t.Errorf("comments frames written %v, want 2 frames × 3 sockets", got)
	}
	if got := mf.Value("danmaku_hub_comment_deliveries_total"); got != 9 {
		t.Errorf("comments written %v, want 3 comments × 3 sockets", got)
	}
	sizes := mf.Histogram("danmaku_hub_frame_comments")
	if sizes.GetSampleCount() != 2 || sizes.GetSampleSum() != 3 {
		t.Errorf("comments per frame: %d frames holding %v, want 2 holding 3", sizes.GetSampleCount(), sizes.GetSampleSum())
	}
	if got := mf.Value("danmaku_hub_frames_total", "kind", "presence"); got < 1 {
		t.Errorf("presence frames %v, want the joins' count sent", got)
	}
}

func TestWriterCommitsBecomeLatencyAndBatchSizes(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	m.Commit(store.Commit{Ops: 10, Took: 2 * time.Millisecond})
	m.Commit(store.Commit{Ops: 1, Took: 3 * time.Millisecond})
	m.Commit(store.Commit{Ops: 4, Took: time.Second, Err: errors.New("disk full")})

	mf := metricstest.Gather(t, m.Gatherer())
	ops := mf.Histogram("danmaku_writer_commit_ops")
	if ops.GetSampleCount() != 2 || ops.GetSampleSum() != 11 {
		t.Errorf("ops per commit: %d commits of %v ops, want 2 of 11 (a failed transaction is not a commit)", ops.GetSampleCount(), ops.GetSampleSum())
	}
	secs := mf.Histogram("danmaku_writer_commit_duration_seconds")
	if secs.GetSampleCount() != 2 || secs.GetSampleSum() < 0.0049 || secs.GetSampleSum() > 0.0051 {
		t.Errorf("commit time: %d commits, %vs, want 2 taking 0.005s", secs.GetSampleCount(), secs.GetSampleSum())
	}
	if got := mf.Value("danmaku_writer_commit_failures_total"); got != 1 {
		t.Errorf("failures %v, want 1", got)
	}
}

func TestPluginLatencyIsThePipelinesOwnHistogram(t *testing.T) {
	p := pipeline(t, `
plugins:
  - {name: wordfilter, config: {words: [badword], action: reject}}
  - {name: wordfilter, config: {words: [meh], action: mask}}
rooms:
  vip: {plugins: [{name: wordfilter, config: {words: [other]}}]}
`)
	ctx := context.Background()
	for _, text := range []string{"hello", "meh indeed", "badword"} {
		p.Moderate(ctx, plugins.Comment{Room: "lobby", Text: text})
	}
	p.Moderate(ctx, plugins.Comment{Room: "vip", Text: "hi"})
	m := metrics.New(metrics.Sources{Plugins: p.Stats})

	mf := metricstest.Gather(t, m.Gatherer())
	st := p.Stats()
	first, second := st.Default.Plugins[0], st.Default.Plugins[1]
	h := mf.Histogram("danmaku_plugin_duration_seconds", "chain", "default", "plugin", "wordfilter")
	if want := first.Latency.Count + second.Latency.Count; h.GetSampleCount() != want || want != 5 {
		t.Errorf("default chain's wordfilter: %d calls, want %d (3 + 2: two entries of one name are summed)", h.GetSampleCount(), want)
	}
	if want := first.Latency.SumSeconds + second.Latency.SumSeconds; h.GetSampleSum() != want {
		t.Errorf("latency sum %v, want the pipeline's own %v", h.GetSampleSum(), want)
	}
	if len(h.GetBucket()) != len(plugins.LatencyBuckets) {
		t.Errorf("%d buckets, want the pipeline's %d", len(h.GetBucket()), len(plugins.LatencyBuckets))
	}
	for i, b := range h.GetBucket() {
		if want := first.Latency.Buckets[i].Count + second.Latency.Buckets[i].Count; b.GetCumulativeCount() != want || b.GetUpperBound() != first.Latency.Buckets[i].LE {
			t.Errorf("bucket %d: le %v count %d, want le %v count %d", i, b.GetUpperBound(), b.GetCumulativeCount(), first.Latency.Buckets[i].LE, want)
		}
	}
	if got := mf.Histogram("danmaku_plugin_duration_seconds", "chain", "room:vip", "plugin", "wordfilter").GetSampleCount(); got != 1 {
		t.Errorf("vip chain: %d calls, want 1", got)
	}
	outcomes := map[string]float64{"allow": 3, "reject": 1, "rewrite": 1}
	for outcome, want := range outcomes {
		if got := mf.Value("danmaku_plugin_calls_total", "chain", "default", "plugin", "wordfilter", "outcome", outcome); got != want {
			t.Errorf("default wordfilter %s: %v, want %v", outcome, got, want)
		}
	}
}

// down is an isolated plugin that always fails.
type down struct{}

func (down) Moderate(context.Context, plugins.Comment) (plugins.Verdict, error) {
	return plugins.Verdict{}, errors.New("down")
}
func (down) Isolated() bool { return true }

func TestPluginBreakerSeries(t *testing.T) {
	reg := plugins.NewRegistry()
	reg.Register("down", func() plugins.Moderator { return down{} })
	reg.Register("wordfilter", func() plugins.Moderator { return down{} }) // a plain name, its breaker off
	cfg, err := plugins.ParseConfig([]byte(`
plugins:
  - {name: down, breaker: {failures: 2}}
  - {name: wordfilter, breaker: off}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugins.NewPipeline(cfg, reg, plugins.BasicHost{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for range 3 {
		p.Moderate(context.Background(), plugins.Comment{Room: "r", Text: "hi"})
	}
	mf := metricstest.Gather(t, metrics.New(metrics.Sources{Plugins: p.Stats}).Gatherer())
	for _, tc := range []struct {
		name    string
		labels  []string
		want    float64
		present bool
	}{
		{"open", []string{"danmaku_plugin_breaker_open", "chain", "default", "plugin", "down"}, 1, true},
		{"opens", []string{"danmaku_plugin_breaker_opens_total", "chain", "default", "plugin", "down"}, 1, true},
		{"skipped", []string{"danmaku_plugin_calls_total", "chain", "default", "plugin", "down", "outcome", "skipped"}, 1, true},
		{"errors", []string{"danmaku_plugin_calls_total", "chain", "default", "plugin", "down", "outcome", "error"}, 2, true},
		{"no breaker, no series", []string{"danmaku_plugin_breaker_open", "chain", "default", "plugin", "wordfilter"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			series := mf.Series(tc.labels[0], tc.labels[1:]...)
			if (len(series) > 0) != tc.present {
				t.Fatalf("%v: %d series, want present %v", tc.labels, len(series), tc.present)
			}
			if tc.present {
				if got := mf.Value(tc.labels[0], tc.labels[1:]...); got != tc.want {
					t.Errorf("%v = %v, want %v", tc.labels, got, tc.want)
				}
			}
		})
	}
}
