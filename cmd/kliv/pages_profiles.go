package main

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/avatar"
	"kliv/forum/places"
)

// profileChoices are the lists a profile form and the directory's
// filters pick from.
type profileChoices struct {
	Regions []places.Region
	Areas   []string
	Sectors []string
	Fields  []string
}

// MunicipalitiesIn lists a region's municipalities, for the grouped
// municipality menu.
func (profileChoices) MunicipalitiesIn(region string) []places.Municipality {
	return places.InRegion(region)
}

func newProfileChoices() profileChoices {
	return profileChoices{Regions: places.Regions(), Areas: forum.Areas, Sectors: forum.ProfileSectors, Fields: forum.VisibleFields}
}

// profileSettingsPage is the form where a member edits her profile and
// chooses what others see.
type profileSettingsPage struct {
	Page
	profileChoices
	Profile *forum.Profile
	// Ticked and Visible are what the form shows ticked (areas and
	// shown fields): her saved choices, or what she sent when it failed.
	Ticked  map[string]bool
	Visible map[string]bool
}

// profileFormFields are the one-value fields of the profile form.
var profileFormFields = []string{"display_name", "workplace", "role", "sector", "region", "municipality", "bio"}

func (a *app) renderProfileSettings(c *gin.Context, code int, f *Form, areas, visible map[string]bool) error {
	prof, err := a.store.MyProfile(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	p := &profileSettingsPage{Page: a.base(c, "profiles.title"), profileChoices: newProfileChoices(), Profile: prof}
	if f == nil {
		f = &Form{Values: map[string]string{"display_name": prof.DisplayName, "workplace": prof.Workplace, "role": prof.RoleTitle,
			"sector": prof.Sector, "region": prof.Region, "municipality": prof.Municipality, "bio": prof.Bio},
			Errors: map[string]string{}, Labels: map[string]string{}}
	}
	if areas == nil {
		areas = map[string]bool{}
		for _, ar := range prof.Areas {
			areas[ar] = true
		}
	}
	if visible == nil {
		visible = prof.Shown.Map()
	}
	p.Form, p.Ticked, p.Visible = f, areas, visible
	return a.render(c, code, "profiles_settings", p)
}

func (a *app) pageProfileSettings(c *gin.Context) error {
	return a.renderProfileSettings(c, http.StatusOK, nil, nil, nil)
}

// postProfileSettings saves the whole form: every field, the areas
// ticked, and a visibility per field (an unticked box hides it).
func (a *app) postProfileSettings(c *gin.Context) error {
	str := func(name string) *string { s := c.PostForm(name); return &s }
	areaList := c.PostFormArray("areas")
	visible := map[string]bool{}
	for _, f := range forum.VisibleFields {
		visible[f] = c.PostForm("show_"+f) != ""
	}
	_, err := a.store.UpdateProfile(c.Request.Context(), viewer(c), forum.ProfileUpdate{
		DisplayName: str("display_name"), Workplace: str("workplace"), RoleTitle: str("role"), Sector: str("sector"),
		Region: str("region"), Municipality: str("municipality"), Bio: str("bio"), Areas: &areaList, Visible: visible,
	})
	if err != nil {
		f := newForm(c, profileFormFields...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		areas := map[string]bool{}
		for _, ar := range areaList {
			areas[ar] = true
		}
		return a.renderProfileSettings(c, formStatus(err), f, areas, visible)
	}
	a.flash(c, "profiles.saved")
	return redirect(c, "/settings/profile")
}

// avatarError turns a refused picture into a message for the field.
func avatarError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, avatar.ErrNotImage):
		return forum.Invalid("avatar", "profiles.error.not_image")
	case errors.Is(err, avatar.ErrTooMany):
		return forum.Invalid("avatar", "profiles.error.too_many_pixels")
	case errors.Is(err, avatar.ErrTooLarge), errors.As(err, &mbe):
		return forum.Refuse(forum.ErrTooLarge, "profiles.error.too_large")
	}
	return err
}

// postAvatar takes an uploaded picture (multipart field "avatar"); it
// is kept only as the server's own re-encoding, never as sent.
func (a *app) postAvatar(c *gin.Context) error {
	err := a.saveAvatarUpload(c)
	if err != nil {
		f := newForm(c)
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderProfileSettings(c, formStatus(err), f, nil, nil)
	}
	a.flash(c, "profiles.avatar.saved")
	return redirect(c, "/settings/profile")
}

func (a *app) saveAvatarUpload(c *gin.Context) error {
	fh, err := c.FormFile("avatar")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return avatarError(err)
		}
		return forum.Invalid("avatar", "profiles.error.no_file")
	}
	if fh.Size > avatar.MaxBytes {
		return avatarError(avatar.ErrTooLarge)
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	img, err := avatar.Process(file)
	if err != nil {
		return avatarError(err)
	}
	return a.store.SetAvatar(c.Request.Context(), viewer(c), img)
}

func (a *app) postDeleteAvatar(c *gin.Context) error {
	if err := a.store.DeleteAvatar(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	a.flash(c, "profiles.avatar.removed")
	return redirect(c, "/settings/profile")
}

// getAvatar serves a member's avatar to members. A URL with the
// picture's hash (?v=) is cached for a year, since a new picture gets a
// new URL; without it the browser asks again each time (ETag).
func (a *app) getAvatar(c *gin.Context) error {
	img, err := a.store.Avatar(c.Request.Context(), viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	etag := `"` + img.Hash + `"`
	c.Header("ETag", etag)
	if c.Query("v") == img.Hash {
		c.Header("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "private, no-cache")
	}
	c.Header("Last-Modified", img.UpdatedAt.UTC().Format(http.TimeFormat))
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		c.Status(http.StatusNotModified)
		return nil
	}
	c.Header("Content-Length", strconv.Itoa(len(img.Data)))
	c.Data(http.StatusOK, img.ContentType, img.Data)
	return nil
}

// directoryPage is the member directory: filters and one page of members.
type directoryPage struct {
	Page
	profileChoices
	Filter  forum.DirectoryFilter
	Members []forum.Profile
	Next    int
}

// PageURL is the directory's address for page n with the same filters.
func (p *directoryPage) PageURL(n int) string {
	return "/members?" + directoryQuery(p.Filter, n).Encode()
}

// Filtered reports whether any filter is set.
func (p *directoryPage) Filtered() bool {
	f := p.Filter
	return f.Q != "" || f.Region != "" || f.Municipality != "" || f.Sector != "" || f.Area != "" || f.Role != ""
}

func directoryQuery(f forum.DirectoryFilter, page int) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "region": f.Region, "municipality": f.Municipality, "sector": f.Sector, "area": f.Area, "role": f.Role} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

// directoryFilter reads the filters from the query string.
func directoryFilter(c *gin.Context) forum.DirectoryFilter {
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return forum.DirectoryFilter{Q: c.Query("q"), Region: c.Query("region"), Municipality: c.Query("municipality"),
		Sector: c.Query("sector"), Area: c.Query("area"), Role: c.Query("role"), Page: page}
}

func (a *app) pageDirectory(c *gin.Context) error {
	f := directoryFilter(c)
	p := &directoryPage{Page: a.base(c, "profiles.directory.title"), profileChoices: newProfileChoices(), Filter: f}
	ms, next, err := a.store.Directory(c.Request.Context(), viewer(c), f)
	code := http.StatusOK
	if err != nil {
		form := &Form{Values: map[string]string{}, Errors: map[string]string{}, Labels: map[string]string{}}
		if !form.fill(p.L, err) {
			return err
		}
		p.Form, code = form, formStatus(err)
	}
	p.Members, p.Next = ms, next
	return a.render(c, code, "profiles_directory", p)
}

// ProfileLine is a member's role line as she shows it: role · sector ·
// organisation, skipping what is empty or hidden.
func (p *Page) ProfileLine(pr *forum.Profile) string {
	var parts []string
	if pr.RoleTitle != "" {
		parts = append(parts, pr.RoleTitle)
	}
	if pr.Sector != "" {
		parts = append(parts, p.SectorName(pr.Sector))
	}
	if pr.Workplace != "" {
		parts = append(parts, pr.Workplace)
	}
	return strings.Join(parts, " · ")
}

// PlaceLine is where she works as she shows it: municipality, region.
func (p *Page) PlaceLine(pr *forum.Profile) string {
	var parts []string
	if n := pr.MunicipalityName(); n != "" {
		parts = append(parts, n)
	}
	if n := pr.RegionName(); n != "" {
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

// AreaNames are her areas in the reader's language.
func (p *Page) AreaNames(pr *forum.Profile) []string {
	out := make([]string, 0, len(pr.Areas))
	for _, ar := range pr.Areas {
		out = append(out, p.L.T("profiles.area."+ar))
	}
	return out
}

// BioHTML is her bio as the Markdown pipeline sanitized it when saved.
func (p *Page) BioHTML(pr *forum.Profile) template.HTML { return rendered(pr.BioHTML).HTML() }
