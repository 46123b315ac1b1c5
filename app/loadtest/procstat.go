package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat; 100 on
// every Linux architecture Go supports (sysconf(_SC_CLK_TCK) without cgo).
const clockTicks = 100

// procSample is a process's cumulative CPU time and current resident memory.
type procSample struct {
	cpu time.Duration
	rss int64 // bytes
}

// readProc samples /proc/PID/stat (utime+stime) and /proc/PID/status (VmRSS).
func readProc(pid int) (procSample, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	ticks, err := readParse(dir+"/stat", parseStatCPU)
	if err != nil {
		return procSample{}, err
	}
	rss, err := readParse(dir+"/status", parseStatusRSS)
	if err != nil {
		return procSample{}, err
	}
	return procSample{cpu: time.Duration(ticks) * time.Second / clockTicks, rss: rss}, nil
}

// readParse reads a /proc file and parses one number out of it.
func readParse(path string, parse func([]byte) (int64, error)) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("process stats: %w", err)
	}
	n, err := parse(b)
	if err != nil {
		return 0, fmt.Errorf("process stats: %s: %w", path, err)
	}
	return n, nil
}

// parseStatCPU returns utime+stime in clock ticks. The command name (field 2)
// may hold spaces and parentheses, so fields are counted after the last ')'.
func parseStatCPU(stat []byte) (int64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name in %q", stat)
	}
	fields := bytes.Fields(stat[end+1:]) // fields[0] is field 3 (state)
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("only %d fields after the command name", len(fields))
	}
	u, err := strconv.ParseInt(string(fields[utime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("utime: %w", err)
	}
	s, err := strconv.ParseInt(string(fields[stime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stime: %w", err)
	}
	return u + s, nil
}

// parseStatusRSS returns VmRSS in bytes.
func parseStatusRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", line)
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmRSS: %w", err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS line")
}

// readHostBusy returns the CPU time all processes on the machine spent busy
// (user, nice, system, irq, softirq, steal) from /proc/stat, so a report can
// show how much of the machine others used during a run.
func readHostBusy() (time.Duration, error) {
	ticks, err := readParse("/proc/stat", parseHostBusy)
	return time.Duration(ticks) * time.Second / clockTicks, err
}

// parseHostBusy sums the busy fields of /proc/stat's aggregate "cpu" line.
func parseHostBusy(stat []byte) (int64, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("unexpected first line %q", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system (idle iowait) irq softirq steal
		n, err := strconv.ParseInt(string(f[i]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu field %d: %w", i, err)
		}
		busy += n
	}
	return busy, nil
}

// selfUsage is this process's CPU (from getrusage, µs resolution) and peak RSS.
func selfUsage() (cpu time.Duration, maxRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, ru.Maxrss << 10 // Linux reports ru_maxrss in KiB
}
