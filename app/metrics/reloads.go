package metrics

import "github.com/prometheus/client_golang/prometheus"

// reloadSeries counts plugin configuration reloads by result.
type reloadSeries struct {
	reloads *prometheus.CounterVec
}

func newReloadSeries(reg prometheus.Registerer) reloadSeries {
	s := reloadSeries{reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "plugin_reloads_total",
		Help: "Plugin configuration reloads (SIGHUP, /ws/admin, ReloadPlugins), by result: ok, or failed (the running chains stayed).",
	}, []string{"result"})}
	for _, r := range []string{"ok", "failed"} {
		s.reloads.WithLabelValues(r) // start at zero, so rate() sees the first one
	}
	reg.MustRegister(s.reloads)
	return s
}

// PluginsReloaded counts one reload of the plugin configuration.
func (m *Metrics) PluginsReloaded(ok bool) {
	result := "failed"
	if ok {
		result = "ok"
	}
	m.reloads.reloads.WithLabelValues(result).Inc()
}
