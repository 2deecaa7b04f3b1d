// Package i18n holds Kliv's message catalogs (Swedish and English) and
// the formatting of dates and numbers in each language. Every string a
// user reads comes from here.
//
// Catalogs are JSON files, one object of key → text per area, under
// sv/ and en/; Load merges them and refuses a key that is missing in one
// language or defined twice. Texts are fmt formats: %s, %d, %[2]s.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

//go:embed sv/*.json en/*.json
var files embed.FS

// Langs are the supported languages; the first is the default.
var Langs = []string{"sv", "en"}

// Default is the language of a visitor who asked for nothing else.
const Default = "sv"

// Bundle is every catalog, loaded once at start.
type Bundle struct {
	msgs map[string]map[string]string
	// site is the site's name when an admin has set one other than
	// DefaultSiteName (SetSiteName); nil otherwise.
	site atomic.Pointer[string]
}

// DefaultSiteName is the site's name in the catalogs.
const DefaultSiteName = "Kliv"

// SetSiteName makes every text say name where the catalogs name the site
// DefaultSiteName: the header, titles, pages, feeds and mail alike. ""
// goes back to the default.
func (b *Bundle) SetSiteName(name string) {
	if name == "" || name == DefaultSiteName {
		b.site.Store(nil)
		return
	}
	b.site.Store(&name)
}

// Load reads and checks the embedded catalogs.
func Load() (*Bundle, error) {
	b := &Bundle{msgs: map[string]map[string]string{}}
	for _, lang := range Langs {
		m := map[string]string{}
		entries, err := fs.ReadDir(files, lang)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			data, err := files.ReadFile(path.Join(lang, e.Name()))
			if err != nil {
				return nil, err
			}
			var part map[string]string
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("catalog %s/%s: %w", lang, e.Name(), err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("catalog %s: key %q defined twice", lang, k)
				}
				m[k] = v
			}
		}
		b.msgs[lang] = m
	}
	var missing []string
	for _, a := range Langs {
		for _, c := range Langs {
			for k := range b.msgs[a] {
				if _, ok := b.msgs[c][k]; !ok {
					missing = append(missing, c+":"+k)
				}
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("catalog keys missing: %s", strings.Join(missing, ", "))
	}
	return b, nil
}

// MustLoad is Load for tests and for start, where a broken catalog is a
// programming error.
func MustLoad() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

// Has reports whether key exists.
func (b *Bundle) Has(key string) bool { _, ok := b.msgs[Default][key]; return ok }

// Keys lists every key, sorted.
func (b *Bundle) Keys() []string {
	var ks []string
	for k := range b.msgs[Default] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// T translates key into lang with fmt-style args. An unknown key comes
// back as itself, so a missing text is visible rather than blank.
func (b *Bundle) T(lang, key string, args ...any) string {
	m, ok := b.msgs[lang]
	if !ok {
		m = b.msgs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if site := b.site.Load(); site != nil {
		// Only the catalog's text is renamed, never what the arguments
		// bring in (members' words).
		s = strings.ReplaceAll(s, DefaultSiteName, *site)
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Supported reports whether lang is one of Langs.
func Supported(lang string) bool {
	for _, l := range Langs {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the language an Accept-Language header allows for a
// visitor who has chosen nothing: Swedish (Default), unless the browser
// lists no Swedish at all (nor a Scandinavian language, whose readers
// read Swedish more easily than English) and does list English. Many
// Swedes use phones set to English, so the browser's order alone never
// beats Swedish. A language given q=0 is one the browser refuses.
func Match(accept string) string {
	english := false
	for _, part := range strings.Split(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch base {
		case "sv", "nb", "nn", "no", "da":
			return Default
		case "en":
			english = true
		}
	}
	if english {
		return "en"
	}
	return Default
}

// Localizer is a Bundle bound to one reader's language, for templates
// ({{.L.T "key"}}) and handlers.
type Localizer struct {
	B    *Bundle
	Lang string
}

// T translates key.
func (l Localizer) T(key string, args ...any) string { return l.B.T(l.Lang, key, args...) }

// N picks key+".one" or key+".other" by count and formats with n first.
func (l Localizer) N(key string, n int, args ...any) string {
	k := key + ".other"
	if n == 1 {
		k = key + ".one"
	}
	if len(args) == 0 {
		return l.B.T(l.Lang, k, n)
	}
	return l.B.T(l.Lang, k, append([]any{n}, args...)...)
}
