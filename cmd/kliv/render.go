package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
	"kliv/static"
	"kliv/templates"
)

// partialFiles are partials named by area rather than partials_*.html:
// parsed into every page, never a page themselves.
var partialFiles = []string{"admin_topic_tools.html", "events_partials.html"}

// renderer holds one parsed template set per page, built at start so a
// broken template stops the start, not a request.
type renderer struct {
	pages  map[string]*template.Template
	assets map[string]string // "css/site.css" → "/s/<hash>/css/site.css"
	// cards are rendered post cards (postcache.go).
	cards *postCache
	// statics is the set of partials that static fragments are rendered
	// from, and staticHTML what they rendered, by name and language.
	statics    *template.Template
	staticHTML sync.Map // staticKey → template.HTML
}

// staticKey names a static fragment in one language.
type staticKey struct{ name, lang string }

// staticPage is what a static fragment sees: the reader's language, and
// an empty form.
type staticPage struct {
	L       i18n.Localizer
	Form    *Form
	Preview rendered
}

// static returns a fragment whose output depends on nothing but the
// language (the Markdown help, the empty reply field), rendered by its
// template once per language: {{static "mdhelp" .L}}. Such a fragment
// sees only a staticPage and must be used in HTML text, where it was
// rendered.
func (r *renderer) static(name string, l i18n.Localizer) (template.HTML, error) {
	k := staticKey{name, l.Lang}
	if h, ok := r.staticHTML.Load(k); ok {
		return h.(template.HTML), nil
	}
	var buf bytes.Buffer
	if err := r.statics.ExecuteTemplate(&buf, name, &staticPage{L: l}); err != nil {
		return "", err
	}
	h := rendered(buf.String()).HTML()
	r.staticHTML.Store(k, h)
	return h, nil
}

func newRenderer() (*renderer, error) {
	r := &renderer{pages: map[string]*template.Template{}, assets: map[string]string{}, cards: newPostCache(defaultCardCacheBytes)}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		r.assets[p] = "/s/" + hex.EncodeToString(h[:6]) + "/" + p
		return nil
	})
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if u, ok := r.assets[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no static file %s", name)
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"add":    func(a, b int) int { return a + b },
		"iso":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"lower":  strings.ToLower,
		"static": r.static,
	}
	shared, err := fs.Glob(templates.FS, "partials_*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partialFiles...)
	// The layout's static fragments are defined in layout.html.
	if r.statics, err = template.New("static").Funcs(funcs).ParseFS(templates.FS, append([]string{"layout.html"}, shared...)...); err != nil {
		return nil, fmt.Errorf("partials: %w", err)
	}
	files, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f == "layout.html" || strings.HasPrefix(f, "partials_") || slices.Contains(partialFiles, f) {
			continue
		}
		names := append([]string{"layout.html"}, shared...)
		names = append(names, f)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.FS, names...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		r.pages[strings.TrimSuffix(f, ".html")] = t
	}
	return r, nil
}

// Page is what every page's data embeds: the reader, her language and
// what the layout shows.
type Page struct {
	L         i18n.Localizer
	Title     string
	Viewer    *forum.Member
	CSRF      string
	Now       time.Time
	Path      string
	Flash     string
	Form      *Form
	Header    HeaderCounts
	NoIndex   bool
	BodyClass string
	// ReadOnly: a lapsed alumna reading; the layout shows her confirm link.
	ReadOnly bool
	// SiteDescription is the admins' description of the site in the
	// reader's language, "" for the catalogs' (pages_admin_settings.go).
	SiteDescription string
	// LangGuessed: the language came from the browser, not a choice,
	// so the footer offers Swedish prominently.
	LangGuessed bool
	// NoHeaderSearch leaves out the header's search row, on a page that
	// has its own search form (one "Sök" landmark a page).
	NoHeaderSearch bool
}

// HeaderCounts are the numbers the header shows.
type HeaderCounts struct {
	Notifications int
	JoinRequests  int
	Reports       int

	// Messages counts her conversations with unread messages.
	Messages int
}

// When formats a time for reading.
func (p *Page) When(t time.Time) string { return p.L.When(t, p.Now) }

// Exact formats a time fully, for titles.
func (p *Page) Exact(t time.Time) string { return p.L.Exact(t) }

// Date formats the day of a time.
func (p *Page) Date(t time.Time) string { return p.L.Date(t, p.Now) }

// Initials are the avatar letters of a name.
func (p *Page) Initials(name string) string { return forum.Initials(name) }

// Base is the page's common part. The layout reads it through Base
// rather than through the embedding page: a field promoted from an
// embedded struct costs html/template a search through the embedding on
// every use, dozens of times a page.
func (p *Page) Base() *Page { return p }

// IsMember reports whether the reader is an approved member.
func (p *Page) IsMember() bool { return p.Viewer.IsMember() }

// base returns a Page filled from the request.
func (a *app) base(c *gin.Context, titleKey string, args ...any) Page {
	l := a.loc(c)
	p := Page{L: l, Viewer: viewer(c), CSRF: csrfToken(c), Now: a.store.Now(), Path: c.Request.URL.RequestURI(),
		ReadOnly: c.GetBool(keyReadOnly), SiteDescription: a.siteDescription(l.Lang),
		LangGuessed: c.GetBool(keyLangGuessed)}
	if titleKey != "" {
		p.Title = l.T(titleKey, args...)
	}
	if f, err := c.Cookie(flashCookie); err == nil && f != "" {
		if a.i18n.Has(f) {
			p.Flash = l.T(f)
		}
		a.setCookie(c, flashCookie, "", -1)
	}
	if p.Viewer.IsMember() {
		p.Header = a.headerCounts(c, p.Viewer)
	}
	return p
}

// pager is what a page struct implements to be rendered.
type pager interface{ page() *Page }

func (p *Page) page() *Page { return p }

// render executes a page's templates into a buffer and writes it only
// when it all succeeded, so a failing template never sends half a page.
func (a *app) render(c *gin.Context, status int, name string, data pager) error {
	t, ok := a.views.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Length", strconv.Itoa(buf.Len()))
	c.Header("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", unavailableRetry)
	}
	c.Status(status)
	_, _ = c.Writer.Write(buf.Bytes())
	return nil
}

// pageBuffers are the buffers pages are rendered into, reused so that a
// page does not grow a new one (and the collector sweep it) every time.
var pageBuffers = sync.Pool{New: func() any {
	b := new(bytes.Buffer)
	b.Grow(64 << 10)
	return b
}}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // a rare huge page: let it go
	}
	b.Reset()
	pageBuffers.Put(b)
}

// serveStatic serves embedded assets under their content-hashed path
// with a year's caching.
func (a *app) serveStatic(c *gin.Context) {
	p := strings.TrimPrefix(c.Param("path"), "/")
	name := p
	if i := strings.IndexByte(p, '/'); i >= 0 {
		name = p[i+1:]
	}
	b, err := fs.ReadFile(static.FS, path.Clean(name))
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	if a.views.assets[name] == "/s/"+p {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".png":
		ct = "image/png"
	case ".ico":
		ct = "image/x-icon"
	}
	c.Data(http.StatusOK, ct, b)
}
