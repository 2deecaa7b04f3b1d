package markdown

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
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
		// Through Source, as a post is saved and previewed: what the
		// member wrote, indentation included, is what Markdown sees.
		got, err := r.Render(Source(ex.Markdown))
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
		why, ok := acceptedDifferences[ex.key()]
		if !ok {
			unexpected = append(unexpected, fmt.Sprintf("%s (%s)\nmarkdown: %q\nwant: %q\ngot:  %q\n",
				ex.key(), ex.Section, ex.Markdown, want, gotN))
			continue
		}
		if msg := explained(t, ex, why, want); msg != "" {
			t.Errorf("%s (%s): the accepted difference %q is not what happens: %s\nmarkdown: %q\nwant: %q\ngot:  %q",
				ex.key(), ex.Section, why, msg, ex.Markdown, want, gotN)
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

// explained checks that an accepted difference comes from the forum's
// policy, as its reason says, and from nothing else (such as tidying the
// source). It returns what is wrong, or "".
//
// The policy is the sanitizer (raw HTML, URL schemes, images; heading
// levels are off in this test) and the GFM autolink extension. So
// goldmark's own output, before the sanitizer, must match the spec, or,
// for an autolink difference, goldmark's output without that extension
// must. On top, each kind of reason must fit the example.
func explained(t *testing.T, ex specExample, why, want string) string {
	t.Helper()
	kind := acceptedKind(why)
	if kind == whyTrimmed {
		if !strings.HasPrefix(ex.Markdown, Source(ex.Markdown)) {
			return "Source changes more than the end of the post"
		}
		if normalizeHTML(t, mustRenderAsIs(t, ex.Markdown)) != want {
			return "the untrimmed source differs from the spec too"
		}
		return ""
	}
	md := goldmarkPlain
	if kind == whyGFMLinkify {
		md = goldmarkNoLinkify
	}
	var raw strings.Builder
	if err := md.Convert([]byte(ex.Markdown), &raw); err != nil {
		return "goldmark: " + err.Error()
	}
	out := raw.String()
	if ex.Section == "Disallowed Raw HTML (extension)" {
		// The spec applies GFM's tag filter, a policy Kliv leaves to the
		// sanitizer.
		out = tagFilterRE.ReplaceAllString(out, "&lt;$1")
	}
	if normalizeHTML(t, out) != want {
		return "goldmark's output before the policy differs from the spec too, so the policy does not explain it"
	}
	switch kind {
	case whyRawElement, whyRawAttr, whyInvisible, whyComment, whyNoHref:
		if !strings.Contains(ex.Markdown, "<") {
			return "the example has no raw HTML"
		}
	case whyImage:
		if !strings.Contains(want, "<img") {
			return "the spec shows no image"
		}
	case whyScheme, whyEmptyHref, whyUnparsable, whyReencoded:
		if !strings.Contains(want, "href=") {
			return "the spec shows no link"
		}
	case whyGFMLinkify:
		if strings.Count(want, "<a ") >= strings.Count(mustRender(t, ex.Markdown), "<a ") {
			return "the forum's rendering has no more links than the spec's"
		}
	default:
		return "unknown kind of reason"
	}
	return ""
}

// tagFilterRE finds the tags GFM's tag filter escapes.
var tagFilterRE = regexp.MustCompile(`(?i)<(/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext))`)

// goldmarkPlain is the forum's goldmark without the sanitizer behind it;
// goldmarkNoLinkify is the same without the GFM autolink extension.
var (
	goldmarkPlain     = newGoldmark()
	goldmarkNoLinkify = goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			mentionExtension{},
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(lineEndTrimmer{}, 1000))),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
)

// mustRender renders src as the forum saves it; mustRenderAsIs without
// tidying the source first.
func mustRender(t *testing.T, src string) string {
	t.Helper()
	return mustRenderAsIs(t, Source(src))
}

func mustRenderAsIs(t *testing.T, src string) string {
	t.Helper()
	r := New()
	r.headingShift = 0
	out, err := r.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Source keeps what the member wrote: indentation at the start is
// Markdown (a code block, a nested list), so only trailing whitespace and
// leading blank lines go.
func TestSourceKeepsIndentation(t *testing.T) {
	for in, want := range map[string]string{
		"    code\n":                 "    code",
		"\tcode":                     "\tcode",
		"\n \n  - nested\n- b  \n\n": "  - nested\n- b",
		"text\r\nmore\r\n":           "text\nmore",
		"  \n\t\n":                   "",
		"":                           "",
		"a\n\n\n":                    "a",
	} {
		if got := Source(in); got != want {
			t.Errorf("Source(%q) = %q, want %q", in, got, want)
		}
	}
	html := mustRender(t, "    indented code\n")
	if !strings.Contains(html, "<pre><code>indented code") {
		t.Errorf("a post starting with an indented line lost its code block: %s", html)
	}
}
