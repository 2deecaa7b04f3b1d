package main

// Real-browser tests: headless Chromium (Debian's chromium package) driven
// by chromedp against the real router on 127.0.0.1. They check what only a
// browser shows: nothing scrolls sideways, the header stays small on a
// phone, axe-core finds no serious or critical violation, and the
// newcomer's journey works with JavaScript on and off, at phone and
// desktop widths. Screenshots of the key pages go to screenshots/ at the
// repository's root (KLIV_SCREENSHOTS overrides it; ignored by git).
//
// They need chromium (KLIV_CHROMIUM, or chromium on PATH) and axe-core's
// axe.min.js (KLIV_AXE). Without them they skip, except in CI (CI set),
// where they fail: .ci/run installs both.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// viewport is one device size the tests look through.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	phone320  = viewport{"320", 320, 640, true}
	phone390  = viewport{"390", 390, 844, true}
	tablet800 = viewport{"800", 800, 1100, false}
	desk1280  = viewport{"1280", 1280, 900, false}
)

// headerLimit is the tallest the site header may be: one line of about
// 56 px and, for members, a search row.
const headerLimit = 120

// browserEnv is the browser and the tools every browser test shares: one
// Chromium for the whole test binary (started on first use), tabs in
// separate browser contexts (own cookies) per journey.
type browserEnv struct {
	alloc   context.Context // the allocator's context
	browser context.Context // the first tab, which owns the browser
	axe     string          // axe.min.js source
	shots   string          // the screenshot folder
}

var (
	browserOnce sync.Once
	browserErr  error
	sharedEnv   *browserEnv
)

// needBrowser returns the shared browser, or skips the test when
// Chromium or axe-core is missing (fails in CI).
func needBrowser(t *testing.T) *browserEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	browserOnce.Do(func() { sharedEnv, browserErr = startBrowser() })
	if browserErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests cannot run in CI: %v", browserErr)
		}
		t.Skipf("browser tests skipped: %v", browserErr)
	}
	return sharedEnv
}

func startBrowser() (*browserEnv, error) {
	exe := os.Getenv("KLIV_CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		return nil, fmt.Errorf("no chromium (apt-get install chromium, or set KLIV_CHROMIUM)")
	}
	axePath := os.Getenv("KLIV_AXE")
	if axePath == "" {
		return nil, fmt.Errorf("KLIV_AXE is not set (npm install axe-core@4.14.1, then KLIV_AXE=…/axe-core/axe.min.js)")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		return nil, fmt.Errorf("axe-core: %w", err)
	}
	shots := os.Getenv("KLIV_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("..", "..", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "kliv-chromium-")
	if err != nil {
		return nil, err
	}
	// The machine has no network: without these flags Chromium waits on
	// connections it can never make.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "sv-SE"),
	}
	alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, _ := chromedp.NewContext(alloc)
	if err := chromedp.Do(browser, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return &browserEnv{alloc: alloc, browser: browser, axe: string(axe), shots: shots}, nil
}

// tab is one person's browser at one size: its own cookies (a new browser
// context), JavaScript on or off.
type tab struct {
	t    *testing.T
	env  *browserEnv
	ctx  context.Context
	base string
	vp   viewport
	js   bool
	name string // for screenshots: "390-js", "320-nojs"
}

// newTab opens a tab on srv at the viewport; closed when the test ends.
func (env *browserEnv) newTab(t *testing.T, srv *httptest.Server, vp viewport, js bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(env.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	name := vp.name + "-js"
	if !js {
		name = vp.name + "-nojs"
	}
	tb := &tab{t: t, env: env, ctx: ctx, base: srv.URL, vp: vp, js: js, name: name}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(vp.width, vp.height, func(p *emulation.SetDeviceMetricsOverrideParams, tp *emulation.SetTouchEmulationEnabledParams) {
			p.Mobile = vp.mobile
			tp.Enabled = vp.mobile
		}),
		chromedp.Func(func(ctx context.Context, tt *chromedp.Target) error {
			_, err := cdp.Call(ctx, tt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return tb
}

// timed runs a browser step with a time limit, so a hung page fails the
// test instead of the whole run.
func (tb *tab) timed() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, 30*time.Second)
}

// do runs actions, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.timed()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s (%s): %v", what, tb.name, err)
	}
}

// open loads a path and waits for it; it fails on an error status.
func (tb *tab) open(path string) {
	tb.t.Helper()
	ctx, cancel := tb.timed()
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.t.Fatalf("open %s (%s): %v", path, tb.name, err)
	}
	if res.Status >= 400 {
		tb.t.Fatalf("open %s (%s): status %d", path, tb.name, res.Status)
	}
}

// submit clicks a button (a CSS selector) and waits for the page it leads
// to; it returns the status of that page.
func (tb *tab) submit(sel string) int64 {
	tb.t.Helper()
	ctx, cancel := tb.timed()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("submit %s (%s): %v", sel, tb.name, err)
	}
	return res.Status
}

// fill types text into the field sel after clearing it.
func (tb *tab) fill(sel, text string) {
	tb.t.Helper()
	b, _ := json.Marshal(sel)
	eval[bool](tb, fmt.Sprintf(`(document.querySelector(%s).value = "", true)`, b))
	tb.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// click clicks sel (no navigation expected).
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// eval evaluates a JavaScript expression into T. DevTools evaluation runs
// whether or not the page's own scripts are disabled.
func eval[T any](tb *tab, expr string, opts ...chromedp.EvaluateOption) T {
	tb.t.Helper()
	ctx, cancel := tb.timed()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		tb.t.Fatalf("eval %q (%s): %v", expr, tb.name, err)
	}
	return v
}

// url is the tab's current address without the server part.
func (tb *tab) url() string {
	return strings.TrimPrefix(eval[string](tb, `location.href`), tb.base)
}

// text is the visible text of the page's main content.
func (tb *tab) text() string { return eval[string](tb, `document.querySelector("main").innerText`) }

// has reports whether sel matches an element.
func (tb *tab) has(sel string) bool {
	b, _ := json.Marshal(sel)
	return eval[bool](tb, fmt.Sprintf(`document.querySelector(%s) !== null`, b))
}

// wantText fails unless the main content shows s.
func (tb *tab) wantText(what string, ss ...string) {
	tb.t.Helper()
	txt := tb.text()
	for _, s := range ss {
		if !strings.Contains(txt, s) {
			tb.t.Errorf("%s (%s, %s): the page does not show %q:\n%s", what, tb.name, tb.url(), s, clip(txt, 1500))
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var shotNameRE = regexp.MustCompile(`[^a-z0-9-]+`)

// check looks at the page as a person would: nothing wider than the
// screen, a header no taller than the goal, no serious or critical axe
// violation; and saves a screenshot named name.
func (tb *tab) check(name string) {
	tb.t.Helper()
	type layout struct {
		ScrollWidth, ClientWidth int
		Header                   float64
		Wide                     []string
		Small                    []string
		Dup                      []string
	}
	l := eval[layout](tb, `(() => {
		const d = document.documentElement;
		const h = document.querySelector(".site-header");
		const wide = [];
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > d.clientWidth + 1 && getComputedStyle(el).position !== "fixed") {
				let p = el.parentElement, clipped = false;
				for (; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "hidden" || o === "scroll") { clipped = true; break; } }
				if (!clipped && wide.length < 5) wide.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " right=" + Math.round(r.right));
			}
		}
		for (const el of document.querySelectorAll("main *, .site-header *")) {
			// Text (a long address) that sticks out of its box.
			const o = getComputedStyle(el).overflowX;
			if (el.children.length === 0 && o === "visible" && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && el.getBoundingClientRect().right + el.scrollWidth - el.clientWidth > d.clientWidth + 1 && wide.length < 5) {
				wide.push("text in " + el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + ": " + el.textContent.slice(0, 60));
			}
		}
		const small = [];
		for (const el of document.querySelectorAll("input:not([type=hidden]), button, select, textarea, summary")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue; // not shown
			if ((r.width < 24 || r.height < 24) && small.length < 5) small.push(el.tagName.toLowerCase() + "[" + (el.name || el.type || "") + "] " + Math.round(r.width) + "x" + Math.round(r.height));
		}
		// Landmarks of one kind must have different names ("Sidor" twice,
		// "Sök" twice tell a screen reader user nothing).
		const seen = {}, dup = [];
		for (const el of document.querySelectorAll("nav, [role=search], form[aria-label], aside, section[aria-label], section[aria-labelledby]")) {
			if (el.closest("[hidden]") || el.getClientRects().length === 0) continue;
			const kind = el.getAttribute("role") || el.tagName.toLowerCase();
			if (kind === "section") continue; // a region per post is fine: each names its author
			let name = el.getAttribute("aria-label") || "";
			const by = el.getAttribute("aria-labelledby");
			if (by && document.getElementById(by)) name = document.getElementById(by).textContent.trim();
			const k = kind + ":" + name;
			if (seen[k]) dup.push(k); else seen[k] = true;
		}
		return {ScrollWidth: d.scrollWidth, ClientWidth: d.clientWidth, Header: h ? h.getBoundingClientRect().height : 0, Wide: wide, Small: small, Dup: dup};
	})()`)
	where := fmt.Sprintf("%s (%s, %s)", name, tb.name, tb.url())
	if l.ScrollWidth > l.ClientWidth {
		tb.t.Errorf("%s: scrolls sideways: %d px wide in %d px; too wide: %v", where, l.ScrollWidth, l.ClientWidth, l.Wide)
	}
	if l.Header > headerLimit {
		tb.t.Errorf("%s: header is %.0f px tall, at most %d", where, l.Header, headerLimit)
	}
	if len(l.Dup) > 0 {
		tb.t.Errorf("%s: landmarks with the same name: %v", where, l.Dup)
	}
	if len(l.Small) > 0 {
		tb.t.Errorf("%s: controls smaller than 24×24 px: %v", where, l.Small)
	}
	tb.axe(where)
	tb.screenshot(name)
}

// axe runs axe-core on the page and fails on serious or critical
// violations.
func (tb *tab) axe(where string) {
	tb.t.Helper()
	if !tb.js {
		// axe needs timers, which a page without scripts does not run.
		// Turning scripts on now runs none of the page's own: they were
		// skipped when it loaded.
		tb.scripts(true)
		defer tb.scripts(false)
	}
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		eval[bool](tb, tb.env.axe+"\n;true")
	}
	type node struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []node `json:"nodes"`
	}
	vs := eval[[]violation](tb, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise)
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var targets []string
		for i, n := range v.Nodes {
			if i == 3 {
				break
			}
			targets = append(targets, fmt.Sprint(n.Target))
		}
		tb.t.Errorf("%s: axe %s (%s): %s at %v", where, v.ID, v.Impact, v.Help, targets)
	}
}

// scripts turns the page's JavaScript on or off.
func (tb *tab) scripts(on bool) {
	tb.t.Helper()
	tb.do("scripts", chromedp.Func(func(ctx context.Context, tt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// screenshot saves the whole page as screenshots/<tab>-<name>.png.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	ctx, cancel := tb.timed()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(tb.env.shots, shotNameRE.ReplaceAllString(strings.ToLower(tb.name+"-"+name), "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
	}
}

// browserServer serves the app on 127.0.0.1 for a browser.
func browserServer(t *testing.T, a *app) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(a.routes())
	t.Cleanup(srv.Close)
	return srv
}

// waitFor waits until the expression is true (at most 10 s).
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		return err
	})
}
