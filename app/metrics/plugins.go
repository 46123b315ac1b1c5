package metrics

import (
	"maps"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/danmaku/danmaku/plugins"
)

// pluginCollector exports the moderation chains' own counters when
// scraped: each chain entry already keeps its calls and a fixed-bucket
// latency histogram (plugins.Stats), so nothing is measured twice. Series
// are labelled by chain ("default", or "room:ID" for a room's own chain
// in the plugin config) and plugin name: both bounded by the config. The
// counters start again from zero when the config is reloaded, which
// Prometheus' rate() takes as a counter reset.
type pluginCollector struct {
	stats func() plugins.Stats
}

var (
	pluginSecondsDesc = prometheus.NewDesc(namespace+"_plugin_duration_seconds",
		"Time a moderation plugin took per comment, by chain and plugin.", []string{"chain", "plugin"}, nil)
	pluginCallsDesc = prometheus.NewDesc(namespace+"_plugin_calls_total",
		"Comments a moderation plugin was asked about, by chain, plugin and outcome: allow, rewrite, reject, hold, shadow, error (including panics), timeout, skipped (its circuit breaker was open), shed (failed fast: too many abandoned calls still running).",
		[]string{"chain", "plugin", "outcome"}, nil)
	pluginStuckDesc = prometheus.NewDesc(namespace+"_plugin_stuck",
		"Timed-out moderation plugin calls still running, by chain and plugin.", []string{"chain", "plugin"}, nil)
	pluginDryRunDesc = prometheus.NewDesc(namespace+"_plugin_dry_run_verdicts_total",
		"Verdicts a moderation plugin in mode dry_run would have enforced, by chain, plugin and action: rewrite, reject, hold, shadow.",
		[]string{"chain", "plugin", "action"}, nil)
	pluginConfigDesc = prometheus.NewDesc(namespace+"_plugin_config_info",
		"Always 1; the hash label identifies the plugin configuration running now (it changes when a reload changes the chains).",
		[]string{"hash"}, nil)
	pluginBreakerOpenDesc = prometheus.NewDesc(namespace+"_plugin_breaker_open",
		"1 while a moderation plugin's circuit breaker is open or half-open (the plugin is skipped), else 0; only plugins with a breaker.",
		[]string{"chain", "plugin"}, nil)
	pluginBreakerOpensDesc = prometheus.NewDesc(namespace+"_plugin_breaker_opens_total",
		"Times a moderation plugin's circuit breaker opened, by chain and plugin; only plugins with a breaker.",
		[]string{"chain", "plugin"}, nil)
)

// Describe implements prometheus.Collector.
func (pluginCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pluginSecondsDesc
	ch <- pluginCallsDesc
	ch <- pluginStuckDesc
	ch <- pluginBreakerOpenDesc
	ch <- pluginBreakerOpensDesc
	ch <- pluginDryRunDesc
	ch <- pluginConfigDesc
}

// pluginKey is one series' labels; entries of a chain that share a plugin
// name are summed (their buckets are the same fixed ones).
type pluginKey struct{ chain, plugin string }

// Collect implements prometheus.Collector.
func (c pluginCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	if st.ConfigHash != "" {
		ch <- prometheus.MustNewConstMetric(pluginConfigDesc, prometheus.GaugeValue, 1, st.ConfigHash)
	}
	sums := map[pluginKey]*plugins.PluginStats{}
	var order []pluginKey
	add := func(chain string, cs plugins.ChainStats) {
		for _, p := range cs.Plugins {
			k := pluginKey{chain, p.Name}
			s := sums[k]
			if s == nil {
				cp := p
				cp.Latency.Buckets = append([]plugins.Bucket(nil), p.Latency.Buckets...)
				cp.DryRun = maps.Clone(p.DryRun)
				sums[k], order = &cp, append(order, k)
				continue
			}
			mergePluginStats(s, p)
		}
	}
	add("default", st.Default)
	for room, cs := range st.Rooms {
		add("room:"+room, cs)
	}
	for _, k := range order {
		s := sums[k]
		buckets := make(map[float64]uint64, len(s.Latency.Buckets))
		for _, b := range s.Latency.Buckets {
			buckets[b.LE] = b.Count
		}
		ch <- prometheus.MustNewConstHistogram(pluginSecondsDesc, s.Latency.Count, s.Latency.SumSeconds, buckets, k.chain, k.plugin)
		for _, o := range []struct {
			outcome string
			n       uint64
		}{
			{"allow", s.Allows}, {"rewrite", s.Rewrites}, {"reject", s.Rejects}, {"hold", s.Holds},
			{"shadow", s.Shadows}, {"error", s.Errors}, {"timeout", s.Timeouts}, {"skipped", s.Skipped}, {"shed", s.Shed},
		} {
			ch <- prometheus.MustNewConstMetric(pluginCallsDesc, prometheus.CounterValue, float64(o.n), k.chain, k.plugin, o.outcome)
		}
		ch <- prometheus.MustNewConstMetric(pluginStuckDesc, prometheus.GaugeValue, float64(s.Stuck), k.chain, k.plugin)
		for _, action := range slices.Sorted(maps.Keys(s.DryRun)) {
			ch <- prometheus.MustNewConstMetric(pluginDryRunDesc, prometheus.CounterValue, float64(s.DryRun[action]), k.chain, k.plugin, action)
		}
		if s.Breaker != "" {
			open := 0.0
			if s.Breaker != "closed" {
				open = 1
			}
			ch <- prometheus.MustNewConstMetric(pluginBreakerOpenDesc, prometheus.GaugeValue, open, k.chain, k.plugin)
			ch <- prometheus.MustNewConstMetric(pluginBreakerOpensDesc, prometheus.CounterValue, float64(s.BreakerOpens), k.chain, k.plugin)
		}
	}
}

// mergePluginStats adds p's counters to s.
func mergePluginStats(s *plugins.PluginStats, p plugins.PluginStats) {
	s.Allows += p.Allows
	s.Rewrites += p.Rewrites
	s.Rejects += p.Rejects
	s.Holds += p.Holds
	s.Shadows += p.Shadows
	s.Errors += p.Errors
	s.Timeouts += p.Timeouts
	s.Skipped += p.Skipped
	s.Shed += p.Shed
	for action, n := range p.DryRun {
		if s.DryRun == nil {
			s.DryRun = map[string]uint64{}
		}
		s.DryRun[action] += n
	}
	s.Stuck += p.Stuck
	s.BreakerOpens += p.BreakerOpens
	if s.Breaker == "" || s.Breaker == "closed" && p.Breaker != "" {
		s.Breaker = p.Breaker // one entry skipped makes the series open
	}
	s.Latency.Count += p.Latency.Count
	s.Latency.SumSeconds += p.Latency.SumSeconds
	for i := range min(len(s.Latency.Buckets), len(p.Latency.Buckets)) {
		s.Latency.Buckets[i].Count += p.Latency.Buckets[i].Count
	}
}
