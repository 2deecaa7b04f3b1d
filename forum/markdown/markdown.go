package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// ErrTooComplex is returned (wrapped, so use errors.Is) when a source is
// larger than the Max* limits, has a shape that would make rendering take
// super-linear time or memory, or simply did not finish within
// [RenderBudget]. Callers should tell the member the post is too large or too
// deeply nested rather than retry: the same source is refused again.
var ErrTooComplex = errors.New("markdown: too complex")

// ErrBusy is returned when no render slot became free within the queue wait.
// It only happens when earlier renders are still running after their budget
// ran out (i.e. under attack or extreme load); unlike ErrTooComplex it is
// worth retrying later, so handlers should map it to "try again".
var ErrBusy = errors.New("markdown: renderer busy")

// errBudget is the ErrTooComplex that means "ran out of time" rather than
// "refused by a deterministic limit". It is kept separate so tests can tell
// the (load-dependent) timeout apart from the (deterministic) pre-checks.
var errBudget = fmt.Errorf("%w: rendering exceeded the time budget", ErrTooComplex)

const (
	// MaxChars is the largest post body accepted, in characters (runes).
	// It is the limit members see ("at most 50 000 characters").
	MaxChars = 50_000

	// MaxBytes is the hard cap on the source in bytes, checked before
	// anything else (even before counting runes), so a huge request body is
	// refused in O(1). 200 000 bytes is 50 000 four-byte characters.
	MaxBytes = 200_000

	// MaxHTMLBytes caps goldmark's raw output. Markdown can amplify: one
	// reference definition with a long URL used thousands of times, or a
	// table whose short rows are padded to a wide header. Output beyond this
	// is discarded as it is produced and the render fails, so memory stays
	// bounded even when the pre-checks did not foresee the shape.
	MaxHTMLBytes = 1 << 20

	// RenderBudget is how long one render may take before Render gives up
	// with ErrTooComplex. Typical posts render in well under a millisecond;
	// the pre-checks keep every known pathological shape far below this,
	// so the budget is a backstop for shapes nobody has found yet.
	RenderBudget = 250 * time.Millisecond

	// queueWait is how long Render waits for a free render slot before
	// returning ErrBusy.
	queueWait = time.Second
)

// Renderer turns member Markdown into safe HTML. It is safe for concurrent
// use; build one with New at start-up and share it (the goldmark parser,
// the bluemonday policy and the concurrency limit are all per Renderer).
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy

	// sem bounds the number of renders in flight, including renders whose
	// caller already gave up after the budget: a goroutine cannot be killed,
	// so a slot is released only when its render really ends. That keeps
	// the number of goroutines (and CPU spent on abandoned work) bounded.
	sem       chan struct{}
	budget    time.Duration
	queueWait time.Duration
	// headingShift moves members' headings down (# becomes h3), below
	// the page's h1 and h2. The conformance test sets it to 0.
	headingShift int
}

// New builds a Renderer with Kliv's configuration.
func New() *Renderer {
	slots := runtime.GOMAXPROCS(0)
	if slots < 2 {
		slots = 2
	}
	return &Renderer{
		md:           newGoldmark(),
		policy:       newPolicy(),
		sem:          make(chan struct{}, slots),
		budget:       RenderBudget,
		queueWait:    queueWait,
		headingShift: 2,
	}
}

// WithBudget sets the time one render may take and returns r. Tests under
// the race detector, which slows goldmark several times, give it more; the
// pre-checks, not the budget, are what refuse pathological input.
func (r *Renderer) WithBudget(d time.Duration) *Renderer {
	r.budget = d
	return r
}

// Render turns member-written Markdown into sanitized HTML.
//
// It returns an error wrapping ErrTooComplex when the source exceeds the
// bounds documented on the Max* constants or does not render within
// RenderBudget, and ErrBusy when no render slot frees up in time (so a call
// takes at most about queueWait + RenderBudget = 1.25 s). The same source
// always yields the same HTML (apart from a timeout under load), which is
// what lets the preview promise exactly what the saved post will show.
func (r *Renderer) Render(src string) (string, error) {
	var out string
	err := r.run(src, func(s []byte, cancelled *atomic.Bool) error {
		var err error
		out, err = r.render(s, cancelled)
		return err
	})
	if err != nil {
		return "", err
	}
	return out, nil
}

// Mentions returns the distinct lower-cased usernames that src mentions,
// exactly those Render links (not inside code, links or e-mail addresses),
// in order of first appearance. It fails like Render does.
func (r *Renderer) Mentions(src string) ([]string, error) {
	var names []string
	err := r.run(src, func(s []byte, cancelled *atomic.Bool) error {
		doc, err := r.parse(s)
		if err != nil {
			return err
		}
		names = collectMentions(doc)
		return nil
	})
	if err != nil {
		// After a timeout the abandoned goroutine may still write names.
		return nil, err
	}
	return names, nil
}

var defaultRenderer = sync.OnceValue(New)

// Mentions returns the distinct lower-cased @usernames mentioned in the
// Markdown src, in order of first appearance: the same mentions Render turns
// into /u/name links, so members are notified exactly about what they see
// linked. A source that Render refuses mentions nobody (nil). Callers that
// notify should still cap how many members one post may notify.
func Mentions(src string) []string {
	names, err := defaultRenderer().Mentions(src)
	if err != nil {
		return nil
	}
	return names
}

// run applies the size and shape checks, then runs fn in its own goroutine
// under the concurrency limit and the time budget.
func (r *Renderer) run(src string, fn func([]byte, *atomic.Bool) error) error {
	s, err := prepare(src)
	if err != nil {
		return err
	}

	wait := time.NewTimer(r.queueWait)
	select {
	case r.sem <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		return ErrBusy
	}

	done := make(chan error, 1) // buffered: an abandoned render must not block
	var cancelled atomic.Bool
	go func() {
		defer func() { <-r.sem }()
		defer func() {
			// A panic in a goroutine would take the whole server down (no
			// HTTP recovery middleware can catch it), so turn it into an
			// error. The fuzz test treats such an error as a failure.
			if p := recover(); p != nil {
				done <- fmt.Errorf("markdown: internal error: %v", p)
			}
		}()
		done <- fn(s, &cancelled)
	}()

	budget := time.NewTimer(r.budget)
	defer budget.Stop()
	select {
	case err := <-done:
		return err
	case <-budget.C:
		cancelled.Store(true) // lets the render skip its remaining stages
		return errBudget
	}
}

// prepare enforces the size limits and the line-shape pre-checks, and
// normalises the source the way every later step expects it.
func prepare(src string) ([]byte, error) {
	if len(src) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrTooComplex, len(src), MaxBytes)
	}
	if n := utf8.RuneCountInString(src); n > MaxChars {
		return nil, fmt.Errorf("%w: %d characters, at most %d allowed", ErrTooComplex, n, MaxChars)
	}
	// Invalid UTF-8 would pass through to the page; NUL must become U+FFFD
	// per CommonMark (§2.3 Insecure characters).
	src = strings.ToValidUTF8(src, "\uFFFD")
	src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	if err := precheck(src); err != nil {
		return nil, err
	}
	return []byte(src), nil
}

// parse checks the inline content per block, runs goldmark's parser and
// the post-parse checks.
func (r *Renderer) parse(src []byte) (ast.Node, error) {
	if err := checkInlineBlocks(src); err != nil {
		return nil, err
	}
	doc := r.md.Parser().Parse(text.NewReader(src))
	depth, urlBytes := measureAST(doc)
	if depth > MaxNesting {
		return nil, fmt.Errorf("%w: blocks nested %d deep, at most %d allowed", ErrTooComplex, depth, MaxNesting)
	}
	if urlBytes > MaxHTMLBytes {
		return nil, fmt.Errorf("%w: links and images expand to more than %d bytes", ErrTooComplex, MaxHTMLBytes)
	}
	return doc, nil
}

// render is the whole pipeline for one source; it runs inside run's goroutine.
func (r *Renderer) render(src []byte, cancelled *atomic.Bool) (string, error) {
	doc, err := r.parse(src)
	if err != nil {
		return "", err
	}
	if cancelled.Load() {
		return "", errBudget
	}
	w := &limitWriter{limit: MaxHTMLBytes}
	if err := r.md.Renderer().Render(w, src, doc); err != nil {
		return "", fmt.Errorf("markdown: render: %w", err)
	}
	if w.exceeded {
		return "", fmt.Errorf("%w: rendered HTML larger than %d bytes", ErrTooComplex, MaxHTMLBytes)
	}
	if cancelled.Load() {
		return "", errBudget
	}
	tidy, err := tidyHTML(w.buf.Bytes(), r.headingShift)
	if err != nil {
		return "", err
	}
	if cancelled.Load() {
		return "", errBudget
	}
	return string(r.policy.SanitizeBytes(tidy)), nil
}

// limitWriter keeps at most limit bytes and silently drops the rest. goldmark
// ignores write errors, so refusing writes would not stop it; dropping them
// at least keeps memory bounded while it finishes.
type limitWriter struct {
	buf      bytes.Buffer
	limit    int
	exceeded bool
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.exceeded || w.buf.Len()+len(p) > w.limit {
		w.exceeded = true
		return len(p), nil
	}
	return w.buf.Write(p)
}

// measureAST returns the deepest nesting of block quotes and lists in doc,
// and the number of bytes that link and image destinations and titles will
// take in the output.
//
// The line pre-check already refuses deep nesting written on one line; the
// depth here catches nesting built up through indentation across lines.
// The URL bytes catch the one large amplification Markdown has: a reference
// definition with a long URL ("[a]: /xxxx…", 40 000 characters) used
// thousands of times ("[a] [a] [a] …") would otherwise render to 100 MB.
func measureAST(doc ast.Node) (depth, urlBytes int) {
	d := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Blockquote, *ast.List:
			if entering {
				d++
				depth = max(depth, d)
			} else {
				d--
			}
		case *ast.Link:
			if entering {
				urlBytes += len(n.Destination) + len(n.Title)
			}
		case *ast.Image:
			if entering {
				urlBytes += len(n.Destination) + len(n.Title)
			}
		}
		return ast.WalkContinue, nil
	})
	return depth, urlBytes
}
