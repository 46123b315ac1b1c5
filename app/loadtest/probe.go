package loadtest

import "time"

// procProbe samples the server (when a PID is given) and this client at the
// run's milestones; only the run's main goroutine uses it. A failed server
// read is remembered as an error for the report, not fatal to the run.
type procProbe struct {
	pid int
	err error

	start, conn, begun, prev, stop procSample
	haveStart, haveConn, haveStop  bool
	peakRSS                        int64

	clientBegun, clientStop time.Duration
	clientPeakRSS           int64
	hostBegun, hostStop     time.Duration // zero when /proc/stat is unreadable
}

// newProcProbe takes the pre-connect sample, the base for per-connection memory.
func newProcProbe(pid int) *procProbe {
	p := &procProbe{pid: pid}
	p.start, p.haveStart = p.sample()
	return p
}

func (p *procProbe) sample() (procSample, bool) {
	if p.pid <= 0 {
		return procSample{}, false
	}
	s, err := readProc(p.pid)
	if err != nil {
		p.err = err
		return s, false
	}
	p.peakRSS = max(p.peakRSS, s.rss)
	return s, true
}

// connected samples right after every socket has joined.
func (p *procProbe) connected() { p.conn, p.haveConn = p.sample() }

// begin opens the measured window (sending and drain).
func (p *procProbe) begin() {
	p.hostBegun, _ = readHostBusy()
	p.clientBegun, _ = selfUsage()
	p.begun, _ = p.sample()
	p.prev = p.begun
}

// tick samples inside the window and returns the server's CPU use since the
// previous tick in cores, and its RSS (zeros without a PID).
func (p *procProbe) tick(dt time.Duration) (cores float64, rss int64) {
	s, ok := p.sample()
	if !ok || dt <= 0 {
		return 0, 0
	}
	cores = float64(s.cpu-p.prev.cpu) / float64(dt)
	p.prev = s
	return cores, s.rss
}

// end closes the measured window.
func (p *procProbe) end() {
	p.hostStop, _ = readHostBusy()
	p.clientStop, p.clientPeakRSS = selfUsage()
	p.stop, p.haveStop = p.sample()
}
