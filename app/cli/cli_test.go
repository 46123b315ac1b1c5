package cli_test

import (
	"strings"
	"testing"
)

func TestCommandList(t *testing.T) {
	commands := []string{"serve", "loadtest", "token", "version", "migrate", "import", "export", "send", "tail", "relay", "plugins", "help"}
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		toStdout bool
		want     string
	}{
		{"help lists the commands", []string{"help"}, 0, true, "Usage: danmaku"},
		{"an unknown command is refused with the list", []string{"serv"}, 2, false, `unknown command "serv"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.wantCode, errOut)
			}
			got, other := out, errOut
			if !tc.toStdout {
				got, other = errOut, out
			}
			if other != "" {
				t.Errorf("output on the other stream: %q", other)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output %q lacks %q", got, tc.want)
			}
			for _, c := range commands {
				if !strings.Contains(got, "\n  "+c+" ") {
					t.Errorf("output lacks the %s command:\n%s", c, got)
				}
			}
		})
	}
}
