package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/danmaku/danmaku/app/cli"
)

func repoFiles() cli.Files {
	return cli.Files{Templates: os.DirFS("../../templates"), Assets: os.DirFS("../../assets"), Migrations: os.DirFS("../../migrations")}
}

func TestServeRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		stderr     string // FILE stands for the config file
	}{
		{"out of range in the file", "max-text: 20000\n", nil, "danmaku: config: max-text must be from 1 to 10000, got 20000 (max-text is set by FILE line 1)\n"},
		{"out of range in the environment", "", map[string]string{"DANMAKU_SEND_BUFFER": "2"}, "danmaku: config: send-buffer must be from 16 to 65536 frames, got 2 (send-buffer is set by DANMAKU_SEND_BUFFER)\n"},
		{"no rooms per socket", "", map[string]string{"DANMAKU_MAX_ROOMS": "-1"}, "danmaku: config: max-rooms must be from 1 to 1000, got -1 (max-rooms is set by DANMAKU_MAX_ROOMS)\n"},
		{"a negative catch-up", "catchup-limit: -5\n", nil, "danmaku: config: catchup-limit must be at least 1, got -5 (catchup-limit is set by FILE line 1)\n"},
		{"a negative interval", "", map[string]string{"DANMAKU_PING_EVERY": "-1s"}, "danmaku: config: ping-every must be positive, got -1s (ping-every is set by DANMAKU_PING_EVERY)\n"},
		{"a negative linger", "writer-linger: -5ms\n", nil, "danmaku: config: writer-linger cannot be negative, got -5ms (writer-linger is set by FILE line 1)\n"},
		{"a negative size", "", map[string]string{"DANMAKU_WRITER_QUEUE": "-1"}, "danmaku: config: writer-queue must be positive, got -1 (writer-queue is set by DANMAKU_WRITER_QUEUE)\n"},
		{"a proxy that is no address", "trusted-proxies: [10.0.0.0/8, 999.1.1.1]\n", nil, "danmaku: config: trusted-proxies: \"999.1.1.1\" is not an IP address or a CIDR like 10.0.0.0/8 (trusted-proxies is set by FILE line 1)\n"},
		{"bad log level in the file", "log-level: loud\n", nil, "danmaku: -log-level: slog: level string \"loud\": unknown name (log-level is set by FILE line 1)\n"},
		{"unknown key", "adr: x\n", nil, "danmaku: FILE line 1: unknown setting \"adr\"\n"},
		{"unparsable value", "ping-every: often\n", nil, "danmaku: invalid value \"often\" for ping-every (from FILE line 1): parse error\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			write(t, config, tc.yaml)
			code, stdout, stderr := run(t, repoFiles(), tc.env, "-config", config, "-db", filepath.Join(dir, "x.db"), "-addr", "127.0.0.1:0")
			want := strings.ReplaceAll(tc.stderr, "FILE", config)
			if code != 2 || stdout != "" || stderr != want {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2, %q", code, stdout, stderr, want)
			}
		})
	}
}
