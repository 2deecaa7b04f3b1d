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
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
	"kliv/static"
	"kliv/templates"
)

// renderer holds one parsed template set per page, built at start so a
// broken template stops the start, not a request.
type renderer struct {
	pages  map[string]*template.Template
	assets map[string]string // "css/site.css" → "/s/<hash>/css/site.css"
	// cards are rendered post cards (postcache.go).
	cards *postCache
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
		"add":   func(a, b int) int { return a + b },
		"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"lower": strings.ToLower,
	}
	shared, err := fs.Glob(templates.FS, "partials_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f == "layout.html" || strings.HasPrefix(f, "partials_") {
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
}

// HeaderCounts are the numbers the header shows.
type HeaderCounts struct {
	Notifications int
	JoinRequests  int
	Reports       int
}

// When formats a time for reading.
func (p *Page) When(t time.Time) string { return p.L.When(t, p.Now) }

// Exact formats a time fully, for titles.
func (p *Page) Exact(t time.Time) string { return p.L.Exact(t) }

// Date formats the day of a time.
func (p *Page) Date(t time.Time) string { return p.L.Date(t, p.Now) }

// Initials are the avatar letters of a name.
func (p *Page) Initials(name string) string { return forum.Initials(name) }

// IsMember reports whether the reader is an approved member.
func (p *Page) IsMember() bool { return p.Viewer.IsMember() }

// base returns a Page filled from the request.
func (a *app) base(c *gin.Context, titleKey string, args ...any) Page {
	l := a.loc(c)
	p := Page{L: l, Viewer: viewer(c), CSRF: csrfToken(c), Now: a.store.Now(), Path: c.Request.URL.RequestURI()}
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
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	_, _ = c.Writer.Write(buf.Bytes())
	return nil
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
