package loadtest

import (
	"os"
	"testing"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       int64
	}{
		{
			name: "plain",
			stat: "1234 (danmaku) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 12 0 100 2000000 5000 18446744073709551615",
			want: 325,
		},
		{
			name: "command with spaces and parentheses",
			stat: "99 (my (odd) proc) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 100 10 0",
			want: 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.stat))
			if err != nil || got != tt.want {
				t.Errorf("parseStatCPU = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	if _, err := parseStatCPU([]byte("1 (x) S 1 2")); err == nil {
		t.Error("parseStatCPU of a short line: want an error")
	}
}

func TestParseStatusRSS(t *testing.T) {
	status := "Name:\tdanmaku\nVmPeak:\t  300000 kB\nVmRSS:\t   20480 kB\nThreads:\t9\n"
	if got, err := parseStatusRSS([]byte(status)); err != nil || got != 20480<<10 {
		t.Errorf("parseStatusRSS = %d, %v; want %d", got, err, 20480<<10)
	}
	if _, err := parseStatusRSS([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("parseStatusRSS without VmRSS: want an error")
	}
}

func TestReadProcSelf(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.rss <= 0 || s.cpu < 0 {
		t.Errorf("readProc(self) = %+v, want positive RSS", s)
	}
	if _, err := readProc(1 << 30); err == nil {
		t.Error("readProc of a missing PID: want an error")
	}
}

func TestParseHostBusy(t *testing.T) {
	stat := "cpu  49519 173 17609 185753 570 0 3119 41 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
	want := int64(49519 + 173 + 17609 + 0 + 3119 + 41)
	if got, err := parseHostBusy([]byte(stat)); err != nil || got != want {
		t.Errorf("parseHostBusy = %d, %v; want %d", got, err, want)
	}
	if _, err := parseHostBusy([]byte("intr 1 2 3\n")); err == nil {
		t.Error("parseHostBusy without a cpu line: want an error")
	}
	if busy, err := readHostBusy(); err != nil || busy <= 0 {
		t.Errorf("readHostBusy = %v, %v; want a positive duration", busy, err)
	}
}
