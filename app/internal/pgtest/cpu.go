package pgtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the times in /proc/<pid>/stat: fixed at 100 per
// second for user space on Linux, whatever the kernel's own tick.
const userHZ = 100

// CPU returns the processor time the server's processes (the postmaster,
// its live children and the children it reaped) have used so far: what a
// benchmark charges to the database, whatever else the machine runs.
func (s *Server) CPU() (time.Duration, error) {
	pidFile, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		return 0, fmt.Errorf("pgtest: reading the postmaster's pid: %w", err)
	}
	procs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, p := range procs {
		f, err := procStat(p)
		if err != nil { // gone meanwhile
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		switch {
		case pid == postmaster:
			ticks += f.utime + f.stime + f.cutime + f.cstime
		case f.ppid == int64(postmaster):
			ticks += f.utime + f.stime
		}
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

type statFields struct{ ppid, utime, stime, cutime, cstime int64 }

// procStat reads the fields of /proc/<pid>/stat that CPU needs. The
// command name (field 2) may hold spaces, so fields count from its ")".
func procStat(path string) (statFields, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return statFields{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return statFields{}, fmt.Errorf("pgtest: odd %s", path)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 15 {
		return statFields{}, fmt.Errorf("pgtest: short %s", path)
	}
	n := func(field int) int64 { v, _ := strconv.ParseInt(f[field-3], 10, 64); return v }
	return statFields{ppid: n(4), utime: n(14), stime: n(15), cutime: n(16), cstime: n(17)}, nil
}
