package forum

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
	"kliv/i18n"
)

// SiteSettings are what admins set about the site itself: its name, a
// one-paragraph description and the community rules (Markdown), the
// last two in each language. An empty value means the catalogs' default.
type SiteSettings struct {
	Name        string
	Description map[string]string
	Rules       map[string]string
	// RulesHTML is the rules rendered and sanitized by the Markdown
	// pipeline, by language.
	RulesHTML map[string]string
}

// Site settings are rows of the settings table under these keys; the
// per-language ones end in ".<lang>".
const (
	siteNameKey        = "site.name"
	siteDescriptionKey = "site.description."
	siteRulesKey       = "site.rules."
	siteRulesHTMLKey   = "site.rules_html."
)

// Limits of the site settings, in characters.
const (
	MaxSiteNameLen        = 60
	MaxSiteDescriptionLen = 500
	MaxRulesLen           = 20000
)

// SiteSettings reads the site settings.
func (s *Store) SiteSettings(ctx context.Context) (*SiteSettings, error) {
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	if err := s.DB.SelectContext(ctx, &rows, `SELECT key, value FROM settings WHERE key LIKE 'site.%'`); err != nil {
		return nil, err
	}
	out := &SiteSettings{Description: map[string]string{}, Rules: map[string]string{}, RulesHTML: map[string]string{}}
	for _, r := range rows {
		switch {
		case r.Key == siteNameKey:
			out.Name = r.Value
		case strings.HasPrefix(r.Key, siteDescriptionKey):
			out.Description[strings.TrimPrefix(r.Key, siteDescriptionKey)] = r.Value
		case strings.HasPrefix(r.Key, siteRulesHTMLKey):
			out.RulesHTML[strings.TrimPrefix(r.Key, siteRulesHTMLKey)] = r.Value
		case strings.HasPrefix(r.Key, siteRulesKey):
			out.Rules[strings.TrimPrefix(r.Key, siteRulesKey)] = r.Value
		}
	}
	return out, nil
}

// SiteSettingsInput is a new set of site settings. A text equal to its
// default (Defaults) is stored as "": the site then follows the
// catalogs as they change.
type SiteSettingsInput struct {
	Name        string
	Description map[string]string
	Rules       map[string]string
	// Defaults are the texts the form showed for settings not yet set,
	// by field name (description_sv, rules_en…).
	Defaults map[string]string
}

// UpdateSiteSettings saves the site settings (admins only), with its
// audit line naming what changed.
func (s *Store) UpdateSiteSettings(ctx context.Context, actor *Member, in SiteSettingsInput) (*SiteSettings, error) {
	if !actor.IsAdmin() {
		return nil, Refuse(ErrForbidden, "error.admin_only")
	}
	v := &ValidationError{}
	want := map[string]string{}
	name := CheckText(v, "name", in.Name, 0, MaxSiteNameLen, false)
	if name == i18n.DefaultSiteName {
		name = ""
	}
	want[siteNameKey] = name
	norm := func(field, text string) string {
		if d, ok := in.Defaults[field]; ok && strings.TrimSpace(strings.ReplaceAll(d, "\r\n", "\n")) == strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")) {
			return ""
		}
		return text
	}
	for _, lang := range i18n.Langs {
		f := "description_" + lang
		want[siteDescriptionKey+lang] = CheckText(v, f, norm(f, in.Description[lang]), 0, MaxSiteDescriptionLen, true)
		f = "rules_" + lang
		rules := CheckText(v, f, norm(f, in.Rules[lang]), 0, MaxRulesLen, true)
		html := ""
		if rules != "" && !v.Has(f) {
			h, err := s.MD.Render(rules)
			if errors.Is(err, markdown.ErrBusy) {
				return nil, err
			}
			if err != nil {
				v.Add(f, "error.markdown.complex")
			}
			html = h
		}
		want[siteRulesKey+lang] = rules
		want[siteRulesHTMLKey+lang] = html
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var rows []struct {
			Key   string `db:"key"`
			Value string `db:"value"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT key, value FROM settings WHERE key LIKE 'site.%'`); err != nil {
			return err
		}
		have := map[string]string{}
		for _, r := range rows {
			have[r.Key] = r.Value
		}
		var changed []string
		for k, val := range want {
			if have[k] == val {
				continue
			}
			if !strings.HasPrefix(k, siteRulesHTMLKey) {
				changed = append(changed, k)
			}
			if val == "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, k); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, val); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		sort.Strings(changed)
		if err := NotifyChanged(ctx, tx, ChannelSiteSettings); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "settings.update", TargetType: "site",
			Detail: strings.Join(changed, ", ")})
	})
	if err != nil {
		return nil, err
	}
	return s.SiteSettings(ctx)
}
