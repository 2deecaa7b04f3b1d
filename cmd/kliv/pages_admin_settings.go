package main

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// siteSettings are the admins' settings of the site, read at start,
// after each change and by the chores once a minute (so that several
// processes sharing a database agree within a minute). Pages read this
// copy, never the database.
func (a *app) siteSettings() *forum.SiteSettings {
	if s := a.site.Load(); s != nil {
		return s
	}
	return &forum.SiteSettings{}
}

// loadSiteSettings reads the settings and renames the site in every
// text (i18n.Bundle.SetSiteName).
func (a *app) loadSiteSettings(ctx context.Context) error {
	s, err := a.store.SiteSettings(ctx)
	if err != nil {
		return err
	}
	a.site.Store(s)
	a.i18n.SetSiteName(s.Name)
	return nil
}

// siteDescription is the site's description in lang, "" for the default.
func (a *app) siteDescription(lang string) string { return a.siteSettings().Description[lang] }

// defaultRules is the community rules of the catalogs as Markdown: the
// text the settings form starts from.
func defaultRules(l i18n.Localizer) string {
	var b strings.Builder
	b.WriteString(l.T("rules.intro") + "\n\n")
	for i := 1; i <= 5; i++ {
		b.WriteString(strconv.Itoa(i) + ". " + l.T("rules."+strconv.Itoa(i)) + "\n")
	}
	return b.String()
}

// rulesPage is /rules: the admins' rules, or the catalogs'.
type rulesPage struct {
	Page
	// RulesHTML is the admins' rules in the reader's language, "" for the
	// default list.
	RulesHTML template.HTML
}

func (a *app) pageRules(c *gin.Context) error {
	p := &rulesPage{Page: a.base(c, "rules.title")}
	if h := a.siteSettings().RulesHTML[p.L.Lang]; h != "" {
		p.RulesHTML = rendered(h).HTML()
	}
	return a.render(c, http.StatusOK, "rules", p)
}

// settingsLang is one language's part of the settings form.
type settingsLang struct {
	Lang, Name string
}

// adminSettingsPage is where admins set the site's name, description and
// rules.
type adminSettingsPage struct {
	Page
	Langs []settingsLang
	// Defaults are the catalogs' texts per field (description_sv…), sent
	// back with the form so a default left as it is stays a default.
	Defaults map[string]string
}

var settingsFields = []string{"name", "description_sv", "description_en", "rules_sv", "rules_en"}

// settingsDefaults are the catalogs' texts of the settings, by field.
func (a *app) settingsDefaults() map[string]string {
	d := map[string]string{}
	for _, lang := range i18n.Langs {
		l := a.loc0(lang)
		d["description_"+lang] = l.T("landing.lead")
		d["rules_"+lang] = defaultRules(l)
	}
	return d
}

func (a *app) renderAdminSettings(c *gin.Context, code int, f *Form) error {
	if !viewer(c).IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	p := &adminSettingsPage{Page: a.base(c, "admin.settings.title"), Defaults: a.settingsDefaults()}
	for _, lang := range i18n.Langs {
		p.Langs = append(p.Langs, settingsLang{Lang: lang, Name: p.L.T("admin.settings.lang." + lang)})
	}
	if f == nil {
		s := a.siteSettings()
		f = &Form{Values: map[string]string{"name": s.Name}, Errors: map[string]string{}}
		if f.Values["name"] == "" {
			f.Values["name"] = i18n.DefaultSiteName
		}
		for _, lang := range i18n.Langs {
			f.Values["description_"+lang] = cmpOr(s.Description[lang], p.Defaults["description_"+lang])
			f.Values["rules_"+lang] = cmpOr(s.Rules[lang], p.Defaults["rules_"+lang])
		}
	}
	p.Form = f
	p.NoIndex = true
	return a.render(c, code, "admin_settings", p)
}

// cmpOr is the first non-empty string.
func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (a *app) pageAdminSettings(c *gin.Context) error {
	return a.renderAdminSettings(c, http.StatusOK, nil)
}

// settingsInput reads the settings form (or the API's fields).
func settingsInput(get func(string) string, defaults map[string]string) forum.SiteSettingsInput {
	in := forum.SiteSettingsInput{Name: get("name"), Description: map[string]string{}, Rules: map[string]string{}, Defaults: defaults}
	for _, lang := range i18n.Langs {
		in.Description[lang] = get("description_" + lang)
		in.Rules[lang] = get("rules_" + lang)
	}
	return in
}

func (a *app) postAdminSettings(c *gin.Context) error {
	in := settingsInput(c.PostForm, a.settingsDefaults())
	if _, err := a.store.UpdateSiteSettings(c.Request.Context(), viewer(c), in); err != nil {
		f := newForm(c, settingsFields...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		for name := range f.Errors {
			f.Labels[name] = a.loc(c).T("admin.settings.field." + name)
		}
		return a.renderAdminSettings(c, formStatus(err), f)
	}
	if err := a.loadSiteSettings(c.Request.Context()); err != nil {
		return err
	}
	a.flash(c, "admin.settings.saved")
	return redirect(c, "/admin/settings")
}

// siteSettingsJSON is the settings as the API shows them; "" is the
// default.
func (a *app) siteSettingsJSON(s *forum.SiteSettings) gin.H {
	return gin.H{"name": cmpOr(s.Name, i18n.DefaultSiteName), "description": s.Description, "rules": s.Rules}
}

// apiSiteSettings is GET /api/v1/admin/settings (admins).
func (a *app) apiSiteSettings(c *gin.Context) error {
	if !viewer(c).IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	s, err := a.store.SiteSettings(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.siteSettingsJSON(s))
	return nil
}

// apiUpdateSiteSettings is PUT /api/v1/admin/settings: {"name",
// "description": {"sv","en"}, "rules": {"sv","en"}}; a field left out
// keeps its value, "" goes back to the default.
func (a *app) apiUpdateSiteSettings(c *gin.Context) error {
	var in struct {
		Name        *string            `json:"name"`
		Description map[string]*string `json:"description"`
		Rules       map[string]*string `json:"rules"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if !viewer(c).IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	ctx := c.Request.Context()
	cur, err := a.store.SiteSettings(ctx)
	if err != nil {
		return err
	}
	vals := map[string]string{"name": cur.Name}
	for _, lang := range i18n.Langs {
		vals["description_"+lang] = cur.Description[lang]
		vals["rules_"+lang] = cur.Rules[lang]
		if v, ok := in.Description[lang]; ok && v != nil {
			vals["description_"+lang] = *v
		}
		if v, ok := in.Rules[lang]; ok && v != nil {
			vals["rules_"+lang] = *v
		}
	}
	if in.Name != nil {
		vals["name"] = *in.Name
	}
	s, err := a.store.UpdateSiteSettings(ctx, viewer(c), settingsInput(func(k string) string { return vals[k] }, a.settingsDefaults()))
	if err != nil {
		return err
	}
	if err := a.loadSiteSettings(ctx); err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.siteSettingsJSON(s))
	return nil
}
