package app_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAFatalListenerErrorIsReported breaks the server's listening socket
// under it (shutdown(2), after which accept fails with EINVAL, an error no
// retry cures): the server reports it on Done, which the serve command
// turns into a failed exit, instead of stopping as if asked to.
func TestAFatalListenerErrorIsReported(t *testing.T) {
	s := startServer(t)
	fd := listeningFD(t, s.Addr())
	if err := syscall.Shutdown(fd, syscall.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.Done():
		if err == nil || !strings.Contains(err.Error(), "invalid argument") {
			t.Fatalf("Done delivered %v, want the accept error", err)
		}
	case <-time.After(waitFor):
		t.Fatal("the broken listener was never reported")
	}
}

// listeningFD finds this process's descriptor of the TCP socket listening
// on addr, through /proc/net/tcp (its inode) and /proc/self/fd.
func listeningFD(t *testing.T, addr string) int {
	t.Helper()
	_, portText, _ := strings.Cut(addr, ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inode := ""
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		// local_address is hex ip:port; state 0A is LISTEN; the inode is field 9.
		if len(fields) > 9 && strings.HasSuffix(fields[1], fmt.Sprintf(":%04X", port)) && fields[3] == "0A" {
			inode = fields[9]
		}
	}
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range fds {
		if link, err := os.Readlink(p); err == nil && link == "socket:["+inode+"]" {
			n, _ := strconv.Atoi(filepath.Base(p))
			return n
		}
	}
	t.Fatalf("no descriptor of the socket listening on %s (inode %q)", addr, inode)
	return 0
}
