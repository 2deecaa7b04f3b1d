package markdown

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzRenderer is shared by all fuzz iterations of a worker, like the one
// Renderer the forum shares between requests.
var fuzzRenderer = New()

// FuzzRender checks, for arbitrary input, that Render never panics (a panic
// in the render goroutine would be reported as an internal error), that its
// output passes the markup safety check, that it is deterministic and that it
// returns within the time budget.
//
//	go test -fuzz=FuzzRender ./forum/markdown
//
// Seeds live in testdata/fuzz/FuzzRender; crashers the fuzzer finds are
// written there too and then run by every plain go test.
func FuzzRender(f *testing.F) {
	for _, tc := range hostileCases {
		f.Add(tc.src)
	}
	f.Add(typicalPost)
	f.Fuzz(func(t *testing.T, src string) {
		r := fuzzRenderer
		start := time.Now()
		out, err := r.Render(src)
		if elapsed := time.Since(start); elapsed > r.budget+time.Second {
			t.Fatalf("Render took %v (budget %v)", elapsed, r.budget)
		}
		if err != nil {
			if !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrBusy) {
				t.Fatalf("Render(%q): unexpected error %v", src, err)
			}
			// A deterministic refusal must repeat; a timeout may not.
			if !errors.Is(err, errBudget) && !errors.Is(err, ErrBusy) {
				if _, err2 := r.Render(src); err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("Render(%q): refused with %v, then %v", src, err, err2)
				}
			}
			return
		}
		if e := checkMarkup(out); e != nil {
			t.Fatalf("Render(%q) = %q: %v", src, out, e)
		}
		// "<script" cannot appear even as text: text is always escaped.
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("Render(%q) = %q contains <script", src, out)
		}
		out2, err2 := r.Render(src)
		if err2 == nil && out2 != out {
			t.Fatalf("Render(%q) not deterministic:\n%q\n%q", src, out, out2)
		}
		if err2 != nil && !errors.Is(err2, errBudget) && !errors.Is(err2, ErrBusy) {
			t.Fatalf("Render(%q) rendered, then failed: %v", src, err2)
		}
		// Rendering is idempotent as far as safety goes: the sanitized HTML
		// fed back in as Markdown is still safe.
		if again, err := r.Render(out); err == nil {
			if e := checkMarkup(again); e != nil {
				t.Fatalf("re-render of %q = %q: %v", out, again, e)
			}
		}
		_ = PlainText(out)
		_, _ = r.Mentions(src)
	})
}
