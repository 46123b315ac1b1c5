// Package metricstest reads metrics in tests: gathered from a registry or
// scraped from a real /metrics endpoint and parsed with expfmt, then
// looked up by name and labels.
package metricstest

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families are metric families by name, read at one moment.
type Families struct {
	t  testing.TB
	By map[string]*dto.MetricFamily
}

// Gather reads g.
func Gather(t testing.TB, g prometheus.Gatherer) Families {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	f := Families{t: t, By: map[string]*dto.MetricFamily{}}
	for _, mf := range mfs {
		f.By[mf.GetName()] = mf
	}
	return f
}

// Scrape GETs url, as Prometheus would, and parses the text format.
func Scrape(t testing.TB, url string) Families {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("scraping %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("scraping %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scraping %s: status %d: %s", url, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("scraping %s: Content-Type %q, want the text format", url, ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	by, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("scraping %s: not the Prometheus text format: %v", url, err)
	}
	return Families{t: t, By: by}
}

// Series returns the series of name whose labels include every given
// pair ("name", "value", …); an empty value matches an absent label.
func (f Families) Series(name string, labels ...string) []*dto.Metric {
	f.t.Helper()
	if len(labels)%2 != 0 {
		f.t.Fatalf("labels of %s must come in pairs, got %q", name, labels)
	}
	mf := f.By[name]
	if mf == nil {
		return nil
	}
	var out []*dto.Metric
	for _, m := range mf.GetMetric() {
		if matches(m, labels) {
			out = append(out, m)
		}
	}
	return out
}

func matches(m *dto.Metric, labels []string) bool {
	for i := 0; i < len(labels); i += 2 {
		got := ""
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] {
				got = lp.GetValue()
			}
		}
		if got != labels[i+1] {
			return false
		}
	}
	return true
}

// Value returns the value of the one series of name with labels: a
// counter's, a gauge's or an untyped one's. It fails the test when there
// is not exactly one.
func (f Families) Value(name string, labels ...string) float64 {
	f.t.Helper()
	m := f.one(name, labels)
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	f.t.Fatalf("%s%v is neither a counter nor a gauge", name, labels)
	return 0
}

// Sum adds up the counters and gauges of name whose labels include labels
// (zero when there are none).
func (f Families) Sum(name string, labels ...string) float64 {
	f.t.Helper()
	var sum float64
	for _, m := range f.Series(name, labels...) {
		sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
	}
	return sum
}

// Histogram returns the one histogram series of name with labels.
func (f Families) Histogram(name string, labels ...string) *dto.Histogram {
	f.t.Helper()
	h := f.one(name, labels).GetHistogram()
	if h == nil {
		f.t.Fatalf("%s%v is not a histogram", name, labels)
	}
	return h
}

// LabelValues returns every value label takes in the series of name, sorted.
func (f Families) LabelValues(name, label string) []string {
	var out []string
	for _, m := range f.Series(name) {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == label && !slices.Contains(out, lp.GetValue()) {
				out = append(out, lp.GetValue())
			}
		}
	}
	slices.Sort(out)
	return out
}

func (f Families) one(name string, labels []string) *dto.Metric {
	f.t.Helper()
	got := f.Series(name, labels...)
	if len(got) != 1 {
		f.t.Fatalf("%d series of %s with labels %s, want 1 (%s has %s)", len(got), name, pairs(labels), name, f.describe(name))
	}
	return got[0]
}

func pairs(labels []string) string {
	var b strings.Builder
	for i := 0; i+1 < len(labels); i += 2 {
		fmt.Fprintf(&b, "%s=%q ", labels[i], labels[i+1])
	}
	return strings.TrimSpace(b.String())
}

// describe lists the label sets name has, for failure messages.
func (f Families) describe(name string) string {
	mf := f.By[name]
	if mf == nil {
		return "no series"
	}
	var sets []string
	for _, m := range mf.GetMetric() {
		var kv []string
		for _, lp := range m.GetLabel() {
			kv = append(kv, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
		}
		sets = append(sets, "{"+strings.Join(kv, ",")+"}")
	}
	return strings.Join(sets, " ")
}
