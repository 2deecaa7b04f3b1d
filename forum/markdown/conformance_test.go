package markdown

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// specExample is one example of the CommonMark 0.31.2 or GFM spec.
type specExample struct {
	Suite     string  `json:"suite"`
	Number    int     `json:"number"`
	Section   string  `json:"section"`
	Markdown  string  `json:"markdown"`
	HTML      string  `json:"html"`
	Extension *string `json:"extension"`
}

func (e specExample) key() string { return fmt.Sprintf("%s/%d", e.Suite, e.Number) }

// specPath is the CommonMark 0.31.2 and GFM spec examples, kept in
// testdata (CC-BY-SA 4.0, unchanged from the project's shared test data)
// so the conformance test runs in every checkout and never skips.
func specPath(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate conformance_test.go")
	}
	return filepath.Join(filepath.Dir(file), "testdata", "commonmark", "spec-examples.json")
}

func loadSpec(t *testing.T) []specExample {
	path := specPath(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Examples []specExample `json:"examples"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(doc.Examples) != 676 {
		t.Fatalf("%s: %d examples, want 676 (CommonMark 0.31.2 + GFM)", path, len(doc.Examples))
	}
	return doc.Examples
}

// TestSpecConformance renders every spec example and compares it with the
// spec's HTML after normalizeHTML. An example may differ only if it is listed
// in acceptedDifferences, and every listed example must still differ, so the
// list documents exactly where and why Kliv deviates from the spec.
func TestSpecConformance(t *testing.T) {
	examples := loadSpec(t)
	r := New()
	r.headingShift = 0 // the spec's heading levels; TestHeadingShift covers the shift
	differ := map[string]bool{}
	var unexpected []string
	for _, ex := range examples {
		got, err := r.Render(ex.Markdown)
		if err != nil {
			t.Errorf("%s (%s): Render: %v", ex.key(), ex.Section, err)
			continue
		}
		want := normalizeHTML(t, ex.HTML)
		gotN := normalizeHTML(t, got)
		if want == gotN {
			continue
		}
		differ[ex.key()] = true
		if _, ok := acceptedDifferences[ex.key()]; !ok {
			unexpected = append(unexpected, fmt.Sprintf("%s (%s)\nmarkdown: %q\nwant: %q\ngot:  %q\n",
				ex.key(), ex.Section, ex.Markdown, want, gotN))
		}
	}
	for _, u := range unexpected {
		t.Errorf("example differs from the spec and is not in acceptedDifferences:\n%s", u)
	}
	var stale []string
	for k := range acceptedDifferences {
		if !differ[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("%s is in acceptedDifferences but now matches the spec (or does not exist): remove it", k)
	}
	byKind := map[string]int{}
	for k := range differ {
		if why, ok := acceptedDifferences[k]; ok {
			byKind[acceptedKind(why)]++
		}
	}
	t.Logf("%d/%d examples match the spec; %d accepted differences", len(examples)-len(differ), len(examples), len(differ))
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return byKind[kinds[i]] > byKind[kinds[j]] })
	for _, k := range kinds {
		t.Logf("  %3d  %s", byKind[k], k)
	}
}

// TestAcceptedDifferencesHaveReasons keeps the table honest: every entry must
// say why, not just "differs".
func TestAcceptedDifferencesHaveReasons(t *testing.T) {
	for k, why := range acceptedDifferences {
		if len(strings.TrimSpace(why)) < 15 {
			t.Errorf("%s: reason %q is too vague", k, why)
		}
	}
}
