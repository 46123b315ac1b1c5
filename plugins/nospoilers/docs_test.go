package nospoilers_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocsShowThisCode keeps the walkthrough in docs/plugins.md true: it
// must quote this plugin and its test verbatim.
func TestDocsShowThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	for _, file := range []string{"nospoilers.go", "nospoilers_test.go", "../default.yaml"} {
		t.Run(file, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(doc), strings.TrimSpace(string(src))) {
				t.Errorf("docs/plugins.md no longer quotes %s: update the docs", file)
			}
		})
	}
}
