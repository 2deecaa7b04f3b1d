package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"kliv/forum/dbtest"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/forum/avatar"
	"kliv/forum/places"
)

// testPNG is a w×h PNG picture.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb is a PNG header declaring w×h pixels and nothing else.
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.WriteString("IHDR")
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	return b.Bytes()
}

// upload posts a multipart form with one file, as the avatar form does.
func (c *testClient) upload(path, field, filename string, data []byte) *testResponse {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", c.token())
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// putAvatar sends a picture to PUT /api/v1/me/avatar.
func (c *testClient) putAvatar(data []byte) *testResponse {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPut, "/api/v1/me/avatar", bytes.NewReader(data))
	req.Header.Set("Content-Type", "image/png")
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	} else {
		c.get("/settings/profile")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(req)
}

// profileForm is a full profile form with anna's details.
func profileForm() url.Values {
	v := url.Values{
		"display_name": {"Anna Andersson"}, "workplace": {"Kiruna kommun"}, "role": {"Enhetschef hemtjänst"},
		"sector": {"municipality"}, "region": {"25"}, "municipality": {"2584"},
		"areas": {"home_care", "elderly_care"}, "bio": {"Jag leder **hemtjänsten** i Kiruna."},
	}
	for _, f := range forum.VisibleFields {
		v.Set("show_"+f, "1")
	}
	return v
}

func TestProfileSettingsPage(t *testing.T) {
	_, anna, bea := forumApp(t)
	anna.get("/settings").wantStatus(http.StatusOK).contains(`href="/settings/profile"`)
	anna.get("/settings/profile").wantStatus(http.StatusOK).contains("Din profil", "Norrbottens län", "Kiruna", "Äldreomsorg", "Vad andra medlemmar ser")
	anna.get("/u/anna").wantStatus(http.StatusOK).contains(`href="/settings/profile"`)
	bea.get("/u/anna").wantStatus(http.StatusOK).lacks(`href="/settings/profile"`)
	anna.get("/").wantStatus(http.StatusOK).contains(`href="/members"`, "Medlemmar")

	r := anna.postForm("/settings/profile", profileForm()).wantStatus(http.StatusSeeOther)
	if r.location() != "/settings/profile" {
		t.Fatalf("redirect to %q", r.location())
	}
	anna.get("/settings/profile").wantStatus(http.StatusOK).contains("Profilen är sparad.", `value="Kiruna kommun"`, `value="2584" selected`, `value="home_care" checked`)
	bea.get("/u/anna").wantStatus(http.StatusOK).contains("Anna Andersson", "Enhetschef hemtjänst · Kommun · Kiruna kommun",
		"Kiruna, Norrbottens län", "Äldreomsorg, Hemtjänst", "<strong>hemtjänsten</strong>", "Medlem sedan")

	// A municipality alone names its region.
	f := profileForm()
	f.Set("region", "")
	f.Set("municipality", "1481")
	anna.postForm("/settings/profile", f).wantStatus(http.StatusSeeOther)
	bea.get("/u/anna").contains("Mölndal, Västra Götalands län")

	// Bad input: a message at the field and in the summary, the form
	// keeps what was typed, nothing is saved.
	for _, c := range map[string]struct {
		field, value, msg string
	}{
		"empty name":           {"display_name", " ", "Namn: Fyll i det här fältet."},
		"long workplace":       {"workplace", strings.Repeat("x", 201), "Skriv högst 200 tecken."},
		"unknown region":       {"region", "99", "Välj ett av alternativen."},
		"unknown municipality": {"municipality", "9999", "Välj ett av alternativen."},
		"wrong region":         {"municipality", "0180", "Kommunen ligger inte i den region du valt."},
		"unknown sector":       {"sector", "private", "Välj ett av alternativen."},
		"unknown area":         {"areas", "astrology", "Välj ett av alternativen."},
		"long bio":             {"bio", strings.Repeat("å", 2001), "Skriv högst 2000 tecken."},
		"control characters":   {"role", "chef\x00", ""},
	} {
		f := profileForm()
		f.Set(c.field, c.value)
		r := anna.postForm("/settings/profile", f).wantStatus(http.StatusBadRequest)
		kept := "Kiruna kommun"
		if c.field == "workplace" {
			kept = "Anna Andersson"
		}
		r.contains(`id="errors"`, `href="#f-`+c.field+`"`, kept)
		if c.msg != "" {
			r.contains(c.msg)
		}
	}
	bea.get("/u/anna").contains("Mölndal, Västra Götalands län", "Anna Andersson")

	// In English.
	bea.Lang = "en"
	bea.get("/u/anna").contains("Location", "Areas of responsibility", "Elderly care, Home care", "Latest posts")
	bea.get("/members").contains("Find other members", "Area of responsibility", "Search")
	anna.Lang = "en"
	anna.get("/settings/profile").contains("Your profile", "What other members see", "Profile picture")
	f = profileForm()
	f.Set("municipality", "0180")
	anna.postForm("/settings/profile", f).wantStatus(http.StatusBadRequest).contains("The municipality is not in the region you picked.")
}

func TestProfileAPI(t *testing.T) {
	a, anna, bea := forumApp(t)
	me := anna.api("GET", "/api/v1/me", nil).wantStatus(http.StatusOK).json()
	for _, k := range []string{"username", "email", "feed_token", "profile", "visible"} {
		if _, ok := me[k]; !ok {
			t.Errorf("GET /me lacks %q: %v", k, me)
		}
	}
	vis := me["visible"].(map[string]any)
	for _, f := range forum.VisibleFields {
		if vis[f] != true {
			t.Errorf("visible.%s = %v, want true by default", f, vis[f])
		}
	}

	r := anna.api("PATCH", "/api/v1/me", map[string]any{
		"profile": map[string]any{"workplace": "Region Skåne", "role": "Verksamhetschef", "sector": "region",
			"region": "12", "municipality": "1280", "areas": []string{"psychiatry", "health_care"}, "bio": "Psykiatri i *Malmö*."},
		"visible": map[string]bool{"bio": false},
	}).wantStatus(http.StatusOK).json()
	prof := r["profile"].(map[string]any)
	if prof["workplace"] != "Region Skåne" || prof["role"] != "Verksamhetschef" || prof["municipality_name"] != "Malmö" ||
		prof["region_name"] != "Skåne län" || prof["bio_html"] != "<p>Psykiatri i <em>Malmö</em>.</p>\n" {
		t.Errorf("PATCH answered %v", prof)
	}
	if areas := fmt.Sprint(prof["areas"]); areas != "[health_care psychiatry]" {
		t.Errorf("areas %s", areas)
	}
	if r["visible"].(map[string]any)["bio"] != false {
		t.Errorf("visible %v", r["visible"])
	}
	// Only the named fields change.
	anna.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{"role": "Avdelningschef"}}).wantStatus(http.StatusOK)
	prof = anna.api("GET", "/api/v1/me", nil).json()["profile"].(map[string]any)
	if prof["workplace"] != "Region Skåne" || prof["role"] != "Avdelningschef" || prof["role_title"] != "Avdelningschef" || prof["bio"] != "Psykiatri i *Malmö*." {
		t.Errorf("after a partial PATCH: %v", prof)
	}

	// Another member sees only what she shows.
	m := bea.api("GET", "/api/v1/members/anna", nil).wantStatus(http.StatusOK).json()["member"].(map[string]any)
	mp := m["profile"].(map[string]any)
	if mp["workplace"] != "Region Skåne" || m["username"] != "anna" || m["url"] != "/u/anna" {
		t.Errorf("member %v", m)
	}
	if _, ok := mp["bio"]; ok {
		t.Errorf("hidden bio shown: %v", mp)
	}
	bea.api("GET", "/api/v1/members/nobody", nil).wantStatus(http.StatusNotFound)

	// Validation: 400 with a message per field; nothing saved.
	r = anna.api("PATCH", "/api/v1/me", map[string]any{
		"profile": map[string]any{"region": "01", "municipality": "1280", "sector": "bank", "areas": []string{"golf"},
			"bio": strings.Repeat("b", 2001), "display_name": ""},
		"visible": map[string]any{"shoe_size": true},
	}).wantStatus(http.StatusBadRequest).json()
	fields := r["fields"].(map[string]any)
	for _, f := range []string{"municipality", "sector", "areas", "bio", "display_name", "visible.shoe_size"} {
		if fields[f] == nil || fields[f] == "" {
			t.Errorf("no message for %s: %v", f, fields)
		}
	}
	r = anna.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{"region": 12, "colour": "red"}, "visible": map[string]any{"bio": "yes"}}).
		wantStatus(http.StatusBadRequest).json()
	fields = r["fields"].(map[string]any)
	for _, f := range []string{"region", "colour", "visible.bio"} {
		if fields[f] == nil {
			t.Errorf("no message for %s: %v", f, fields)
		}
	}
	anna.api("PATCH", "/api/v1/me", `{"profile":`).wantStatus(http.StatusBadRequest)
	anna.api("PATCH", "/api/v1/me", map[string]any{"profile": "x"}).wantStatus(http.StatusBadRequest)
	prof = anna.api("GET", "/api/v1/me", nil).json()["profile"].(map[string]any)
	if prof["region"] != "12" || prof["display_name"] != "Test anna" {
		t.Errorf("a refused PATCH changed the profile: %v", prof)
	}
	// English messages for an English reader.
	anna.Lang = "en"
	r = anna.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{"municipality": "0180", "region": "12"}}).wantStatus(http.StatusBadRequest).json()
	if !strings.Contains(r["error"].(string), "not in the region") {
		t.Errorf("english error %v", r)
	}

	// A bearer token works too, without CSRF; a cookie needs the token.
	tok, err := a.store.CreateAPIToken(context.Background(), member(t, a, "bea").ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	api := newTestClient(t, a)
	api.Bearer = tok
	api.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{"municipality": "0180"}}).wantStatus(http.StatusOK)
	bea.NoCSRF = true
	bea.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{"municipality": "0181"}}).wantStatus(http.StatusForbidden)
	if p := api.api("GET", "/api/v1/me", nil).json()["profile"].(map[string]any); p["region"] != "01" || p["municipality"] != "0180" {
		t.Errorf("bea's profile %v", p)
	}
	// The codes a profile takes, named in the reader's language.
	ch := bea.api("GET", "/api/v1/profile-choices", nil).wantStatus(http.StatusOK).json()
	if len(ch["regions"].([]any)) != 21 || len(ch["municipalities"].([]any)) != 290 || len(ch["areas"].([]any)) != len(forum.Areas) ||
		len(ch["sectors"].([]any)) != 4 || len(ch["visible_fields"].([]any)) != len(forum.VisibleFields) {
		t.Errorf("profile choices %v", ch)
	}
	if m := ch["municipalities"].([]any)[0].(map[string]any); m["code"] == "" || m["region"] == "" || m["name"] == "" {
		t.Errorf("municipality %v", m)
	}
	if ar := ch["areas"].([]any)[0].(map[string]any); ar["code"] != "elderly_care" || ar["name"] != "Äldreomsorg" {
		t.Errorf("area %v", ar)
	}
	// Applicants and visitors reach nothing.
	mustApply(t, a, "cecilia", "")
	cec := clientFor(t, a, "cecilia")
	cec.api("GET", "/api/v1/members/anna", nil).wantStatus(http.StatusForbidden)
	cec.api("PATCH", "/api/v1/me", map[string]any{}).wantStatus(http.StatusForbidden)
	cec.api("GET", "/api/v1/profile-choices", nil).wantStatus(http.StatusForbidden)
	newTestClient(t, a).api("GET", "/api/v1/members", nil).wantStatus(http.StatusUnauthorized)
}

// Approval fills the profile from the join answers.
func TestApprovalFillsProfile(t *testing.T) {
	a := newTestApp(t)
	mod := mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	jr := mustApply(t, a, "bea", "")
	mustApprove(t, a, mod, jr.ID)
	m := clientFor(t, a, "mona").api("GET", "/api/v1/members/bea", nil).wantStatus(http.StatusOK).json()["member"].(map[string]any)
	p := m["profile"].(map[string]any)
	if p["workplace"] != "Mölndals stad" || p["role"] != "Enhetschef äldreomsorg" || p["sector"] != "municipality" ||
		p["municipality"] != "1481" || p["region"] != "14" {
		t.Errorf("approved member's profile %v", p)
	}
}

func TestDirectory(t *testing.T) {
	a, anna, bea := forumApp(t)
	ctx := context.Background()
	set := func(username string, u forum.ProfileUpdate) {
		t.Helper()
		if _, err := a.store.UpdateProfile(ctx, member(t, a, username), u); err != nil {
			t.Fatal(err)
		}
	}
	s := func(v string) *string { return &v }
	set("anna", forum.ProfileUpdate{DisplayName: s("Anna Berg"), Workplace: s("Kiruna kommun"), RoleTitle: s("Enhetschef"),
		Sector: s("municipality"), Municipality: s("2584"), Areas: &[]string{"elderly_care"}})
	set("bea", forum.ProfileUpdate{DisplayName: s("Åsa Bergström"), Workplace: s("Region Skåne"), RoleTitle: s("Verksamhetschef"),
		Sector: s("region"), Municipality: s("1280"), Areas: &[]string{"psychiatry", "elderly_care"}})
	for i := 0; i < 35; i++ {
		mustCreateMember(t, a, fmt.Sprintf("member%02d", i), forum.RoleMember, forum.StatusApproved)
	}
	mustCreateMember(t, a, "pia", forum.RoleMember, forum.StatusPending)
	gone := mustCreateMember(t, a, "greta", forum.RoleMember, forum.StatusApproved)
	img, err := avatar.ProcessBytes(testPNG(t, 20, 20))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetAvatar(ctx, gone, img); err != nil {
		t.Fatal(err)
	}
	anna.get("/u/greta/avatar").wantStatus(http.StatusOK)
	if _, err := a.db.Exec(`UPDATE members SET status = 'deleted' WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}

	names := func(r *testResponse) []string {
		t.Helper()
		var out []string
		for _, m := range r.wantStatus(http.StatusOK).json()["members"].([]any) {
			out = append(out, m.(map[string]any)["username"].(string))
		}
		return out
	}
	for q, want := range map[string]string{
		"region=25":            "[anna]",
		"municipality=1280":    "[bea]",
		"sector=region":        "[bea]",
		"area=elderly_care":    "[anna bea]",
		"area=psychiatry":      "[bea]",
		"role=verksamhetschef": "[bea]",
		"q=berg":               "[anna bea]",
		"q=åsa":                "[bea]",
		"q=ÅSA+bergström":      "[bea]",
		"q=kiruna":             "[anna]",
		"q=anna+kiruna":        "[anna]",
		"q=100%25":             "[]",
		"q=_":                  "[]",
		"region=12&area=psychiatry&sector=region&municipality=1280&role=chef&q=åsa": "[bea]",
	} {
		if got := fmt.Sprint(names(bea.api("GET", "/api/v1/members?"+q, nil))); got != want {
			t.Errorf("?%s: %s, want %s", q, got, want)
		}
	}
	// Paging: 37 approved members, 30 a page, by name.
	r := bea.api("GET", "/api/v1/members", nil).wantStatus(http.StatusOK).json()
	if n := len(r["members"].([]any)); n != 30 || num(t, r["next_page"]) != 2 {
		t.Fatalf("page 1: %d members, next %v", n, r["next_page"])
	}
	if first := r["members"].([]any)[0].(map[string]any)["username"]; first != "anna" {
		t.Errorf("first by name: %v", first)
	}
	r = bea.api("GET", "/api/v1/members?page=2", nil).wantStatus(http.StatusOK).json()
	if n := len(r["members"].([]any)); n != 7 || r["next_page"] != nil {
		t.Errorf("page 2: %d members, next %v", n, r["next_page"])
	}
	all := fmt.Sprint(names(bea.api("GET", "/api/v1/members", nil))) + fmt.Sprint(names(bea.api("GET", "/api/v1/members?page=2", nil)))
	if strings.Contains(all, "pia") || strings.Contains(all, "greta") {
		t.Errorf("directory lists a pending or deleted account: %s", all)
	}
	bea.api("GET", "/api/v1/members?page=99999999999", nil).wantStatus(http.StatusOK)
	for _, q := range []string{"region=99", "municipality=x", "sector=bank", "area=golf", "q=" + strings.Repeat("x", 101)} {
		bea.api("GET", "/api/v1/members?"+q, nil).wantStatus(http.StatusBadRequest)
	}

	// The page: GET-form filters, cards, paging links that keep the filters.
	anna.get("/members").wantStatus(http.StatusOK).contains("Medlemmar", "Anna Berg", "Test member00", `href="/members?page=2"`, `<form method="get" action="/members"`)
	// Å sorts after Z, as in Swedish.
	anna.get("/members?page=2").wantStatus(http.StatusOK).contains("Åsa Bergström", "Verksamhetschef · Region · Region Skåne",
		"Malmö, Skåne län", "Psykiatri")
	bea.get("/members?area=psychiatry").wantStatus(http.StatusOK).contains("Åsa Bergström", `value="psychiatry" selected`).lacks("Anna Berg")
	anna.get("/members?q=nobody").wantStatus(http.StatusOK).contains("Inga medlemmar matchar")
	anna.get("/members?page=2&area=elderly_care").wantStatus(http.StatusOK).contains(`href="/members?area=elderly_care"`)
	anna.get("/members?region=99").wantStatus(http.StatusBadRequest).contains(`id="errors"`)
	// Members only.
	if r := newTestClient(t, a).get("/members"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("anonymous /members: %d %s", r.Code, r.location())
	}
	mustApply(t, a, "cecilia", "")
	clientFor(t, a, "cecilia").api("GET", "/api/v1/members", nil).wantStatus(http.StatusForbidden)

	// A deleted account's username reaches nothing.
	anna.get("/u/greta").wantStatus(http.StatusNotFound)
	anna.get("/u/greta/avatar").wantStatus(http.StatusNotFound)
	anna.api("GET", "/api/v1/members/greta", nil).wantStatus(http.StatusNotFound)
	anna.get("/u/pia").wantStatus(http.StatusNotFound)
}

// The avatar: uploaded, re-encoded, served with cache headers, and every
// bad upload refused with a message and nothing kept.
func TestAvatar(t *testing.T) {
	a, anna, bea := forumApp(t)
	bea.get("/u/anna/avatar").wantStatus(http.StatusNotFound)
	anna.get("/u/anna").contains(`class="avatar big" aria-hidden="true">TA<`)

	refusals := []struct {
		name string
		data []byte
		code int
		msg  string
	}{
		{"text", []byte("<script>alert(1)</script>"), http.StatusBadRequest, "Filen är ingen bild"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), http.StatusBadRequest, "Filen är ingen bild"},
		{"truncated", testPNG(t, 50, 50)[:40], http.StatusBadRequest, "Filen är ingen bild"},
		{"bomb", pngBomb(60_000, 60_000), http.StatusBadRequest, "för många pixlar"},
		{"just too large", append(testPNG(t, 4, 4), make([]byte, avatar.MaxBytes)...), http.StatusRequestEntityTooLarge, "högst 5 MB"},
		{"huge", make([]byte, avatar.MaxBytes+2<<20), http.StatusRequestEntityTooLarge, "högst 5 MB"},
	}
	for _, c := range refusals {
		r := anna.upload("/settings/profile/avatar", "avatar", c.name+".png", c.data)
		if r.Code != c.code || !strings.Contains(r.Body, c.msg) {
			t.Errorf("form %s: %d, want %d with %q:\n%.600s", c.name, r.Code, c.code, c.msg, r.Body)
		}
		r = anna.putAvatar(c.data)
		if r.Code != c.code || !strings.Contains(r.Body, c.msg) {
			t.Errorf("API %s: %d, want %d with %q: %.300s", c.name, r.Code, c.code, c.msg, r.Body)
		}
		if n := countRows(t, a, "avatars"); n != 0 {
			t.Fatalf("%s: %d avatars kept", c.name, n)
		}
	}
	r := anna.upload("/settings/profile/avatar", "other", "x.png", testPNG(t, 10, 10)).wantStatus(http.StatusBadRequest)
	r.contains("Välj en bild att ladda upp.")

	anna.upload("/settings/profile/avatar", "avatar", "me.png", testPNG(t, 600, 400)).wantStatus(http.StatusSeeOther)
	prof := anna.api("GET", "/api/v1/me", nil).json()["profile"].(map[string]any)
	u, _ := prof["avatar_url"].(string)
	if !regexp.MustCompile(`^/u/anna/avatar\?v=[0-9a-f]{16}$`).MatchString(u) {
		t.Fatalf("avatar_url %q", u)
	}
	r = bea.get(u).wantStatus(http.StatusOK)
	if r.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(r.Header.Get("Cache-Control"), "max-age=31536000") || r.Header.Get("ETag") == "" {
		t.Errorf("avatar headers %v", r.Header)
	}
	cfg, format, err := image.DecodeConfig(strings.NewReader(r.Body))
	if err != nil || format != "jpeg" || cfg.Width != avatar.Size || cfg.Height != avatar.Size {
		t.Errorf("served %s %dx%d %v", format, cfg.Width, cfg.Height, err)
	}
	req := httptest.NewRequest(http.MethodGet, "/u/anna/avatar", nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if r2 := bea.do(req); r2.Code != http.StatusNotModified || r2.Header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("conditional GET: %d %v", r2.Code, r2.Header)
	}
	bea.get("/u/anna").contains(`<img class="avatar big" src="` + u)
	bea.get("/members").contains(`<img class="avatar" src="` + u)
	newTestClient(t, a).get(u).wantStatus(http.StatusSeeOther)

	// Replaced through the API, then removed.
	r = anna.putAvatar(testPNG(t, 30, 90)).wantStatus(http.StatusOK)
	if u2 := r.json()["avatar_url"]; u2 == u || u2 == "" {
		t.Errorf("new avatar url %v", u2)
	}
	if n := countRows(t, a, "avatars"); n != 1 {
		t.Errorf("%d avatars", n)
	}
	anna.postForm("/settings/profile/avatar/delete", nil).wantStatus(http.StatusSeeOther)
	bea.get("/u/anna/avatar").wantStatus(http.StatusNotFound)
	anna.putAvatar(testPNG(t, 8, 8)).wantStatus(http.StatusOK)
	anna.api("DELETE", "/api/v1/me/avatar", nil).wantStatus(http.StatusNoContent)
	if n := countRows(t, a, "avatars"); n != 0 {
		t.Errorf("%d avatars after delete", n)
	}
}

// A member who hides every field: no hidden value leaks through any page
// or endpoint (her page, the directory page and API, the member API, the
// author line of her posts, topic lists, search, feeds), and no filter
// on a hidden field finds her.
func TestHiddenFieldsNeverLeak(t *testing.T) {
	a, anna, bea := forumApp(t)
	ctx := context.Background()
	anna.api("PATCH", "/api/v1/me", map[string]any{"profile": map[string]any{
		"workplace": "Zorroverket", "role": "Xylofonchef", "sector": "state", "region": "25", "municipality": "2584",
		"areas": []string{"psychiatry"}, "bio": "Quokkabiografi om mig.",
	}}).wantStatus(http.StatusOK)
	anna.putAvatar(testPNG(t, 40, 40)).wantStatus(http.StatusOK)
	am := member(t, a, "anna")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Vikarier i hemtjänsten", Body: "Hur löser ni vikarier i sommar?"})
	mustReply(t, a, am, tp.ID, "Vi har en pool av vikarier.", 0)
	tok, err := a.store.FeedToken(ctx, member(t, a, "bea").ID)
	if err != nil {
		t.Fatal(err)
	}
	topic := fmt.Sprintf("/t/%d", tp.ID)
	feeds := []string{"/feeds/latest.atom?token=" + tok, fmt.Sprintf("/feeds/topics/%d.atom?token=%s", tp.ID, tok)}

	// What she hides is unique here, so it is found (or not) anywhere;
	// names of places, areas and sectors also appear in the directory's
	// filter menus, so there they are looked for in her card only.
	unique := []string{"Zorroverket", "Xylofonchef", "Quokkabiografi", "/u/anna/avatar"}
	common := []string{"Kiruna", "Norrbottens län", "Psykiatri", "psychiatry", "Stat", `"state"`, "2584", `"25"`}
	pages := []string{"/u/anna", topic, "/", "/c/ledarskap", "/search?q=vikarier", "/search?q=anna"}
	apis := []string{"/api/v1/members/anna", fmt.Sprintf("/api/v1/topics/%d", tp.ID), "/api/v1/topics", "/api/v1/search?q=vikarier"}
	directory := []string{"/members", "/members?q=anna", "/api/v1/members", "/api/v1/members?q=anna"}
	filters := []string{"region=25", "municipality=2584", "sector=state", "area=psychiatry", "role=Xylofonchef", "q=Zorroverket",
		"region=25&municipality=2584"}
	annaCard := regexp.MustCompile(`(?s)<li class="directory-card">(?:(?:[^<]|<[^/]|</[^l]|</l[^i])*?)/u/anna".*?</li>`)
	card := func(path string) string {
		t.Helper()
		r := bea.get(path).wantStatus(http.StatusOK)
		if strings.HasPrefix(path, "/api/") {
			for _, m := range r.json()["members"].([]any) {
				if m.(map[string]any)["username"] == "anna" {
					return fmt.Sprint(m)
				}
			}
			return ""
		}
		return annaCard.FindString(r.Body)
	}

	// While she shows everything, everything is seen: the checks below
	// can fail.
	bea.get("/u/anna").wantStatus(http.StatusOK).contains(unique...).contains("Kiruna", "Norrbottens län", "Psykiatri", "Stat")
	bea.get(topic).wantStatus(http.StatusOK).contains("Xylofonchef · Stat · Zorroverket", `<img class="avatar" src="/u/anna/avatar?v=`)
	if c := card("/members"); !strings.Contains(c, "Kiruna") || !strings.Contains(c, "Psykiatri") || !strings.Contains(c, "Zorroverket") {
		t.Fatalf("her directory card before hiding: %q", c)
	}
	for _, f := range filters {
		if card("/members?"+f) == "" || card("/api/v1/members?"+f) == "" {
			t.Fatalf("filter %s does not find her while she shows everything", f)
		}
	}

	// She hides every field, on the settings page.
	f := url.Values{}
	for k, v := range map[string]string{"display_name": "Anna Andersson", "workplace": "Zorroverket", "role": "Xylofonchef", "sector": "state",
		"region": "25", "municipality": "2584", "bio": "Quokkabiografi om mig."} {
		f.Set(k, v)
	}
	f["areas"] = []string{"psychiatry"}
	anna.postForm("/settings/profile", f).wantStatus(http.StatusSeeOther)
	vis := anna.api("GET", "/api/v1/me", nil).json()["visible"].(map[string]any)
	for _, k := range forum.VisibleFields {
		if vis[k] != false {
			t.Fatalf("visible.%s = %v after hiding all", k, vis[k])
		}
	}

	for _, path := range append(append(pages, apis...), feeds...) {
		r := bea.get(path).wantStatus(http.StatusOK)
		r.lacks(unique...)
		r.lacks(common...)
	}
	for _, q := range []string{"Zorroverket", "Xylofonchef", "Quokkabiografi", "Kiruna"} {
		bea.get("/search?q=" + q).wantStatus(http.StatusOK).lacks("Vikarier i hemtjänsten")
		bea.api("GET", "/api/v1/search?q="+q, nil).wantStatus(http.StatusOK).lacks("Vikarier i hemtjänsten")
	}
	bea.get("/u/anna").contains("Anna Andersson", "Medlem sedan", `class="avatar big" aria-hidden="true">AA<`)
	bea.get(topic).contains("Anna Andersson", "Vi har en pool av vikarier.")
	for _, path := range directory {
		r := bea.get(path).wantStatus(http.StatusOK)
		r.lacks(unique...)
		c := card(path)
		if c == "" || !strings.Contains(c, "Anna Andersson") {
			t.Errorf("%s: her card is missing: %q", path, c)
		}
		for _, s := range common {
			if strings.Contains(c, s) {
				t.Errorf("%s: her card shows %q: %s", path, s, c)
			}
		}
	}
	m := bea.api("GET", "/api/v1/members/anna", nil).json()["member"].(map[string]any)["profile"].(map[string]any)
	for _, k := range []string{"workplace", "role", "sector", "region", "region_name", "municipality", "municipality_name", "areas", "bio", "bio_html", "avatar_url"} {
		if _, ok := m[k]; ok {
			t.Errorf("member API shows hidden %s: %v", k, m)
		}
	}
	for _, flt := range filters {
		if c := card("/members?" + flt); c != "" {
			t.Errorf("/members?%s finds her by a hidden field", flt)
		}
		if c := card("/api/v1/members?" + flt); c != "" {
			t.Errorf("/api/v1/members?%s finds her by a hidden field", flt)
		}
	}
	bea.get("/u/anna/avatar").wantStatus(http.StatusNotFound)

	// She herself still sees and edits all of it.
	anna.get("/u/anna").contains(unique...)
	anna.get("/settings/profile").contains(`value="Zorroverket"`, "Quokkabiografi")
	mp := anna.api("GET", "/api/v1/me", nil).json()["profile"].(map[string]any)
	if mp["workplace"] != "Zorroverket" || mp["region"] != "25" || mp["avatar_url"] == nil {
		t.Errorf("her own profile %v", mp)
	}
	anna.get("/u/anna/avatar").wantStatus(http.StatusOK)
}

// The directory's queries are answered from indexes (no SCAN of members)
// with every filter, and stay fast with 5,000 members.
func TestDirectoryUsesIndexes(t *testing.T) {
	dbtest.SkipOnPG(t, "reads SQLite's EXPLAIN QUERY PLAN of the recorded queries")
	a, anna, _ := forumApp(t)
	tx := a.db.MustBegin()
	ms := places.Municipalities()
	for i := 0; i < 5000; i++ {
		m := ms[i%len(ms)]
		res := tx.MustExec(`INSERT INTO members (username, email, display_name, password_hash, role, status, created_at, approved_at,
			role_title, workplace, sector, region, municipality, show_region)
			VALUES (?, ?, ?, 'x', 'member', 'approved', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("m%04d", i), fmt.Sprintf("m%04d@example.se", i), fmt.Sprintf("Medlem %04d", i),
			[]string{"Enhetschef", "Rektor", "Verksamhetschef"}[i%3], m.Name+" kommun", forum.ProfileSectors[i%4], m.Region, m.Code, i%7 != 0)
		id, _ := res.LastInsertId()
		tx.MustExec(`INSERT INTO member_areas (member_id, area) VALUES (?, ?)`, id, forum.Areas[i%len(forum.Areas)])
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rec := recordQueries(t, a)
	paths := []string{"", "?page=50", "?q=medlem+01", "?q=åsa", "?region=14", "?municipality=1481", "?sector=state", "?area=school",
		"?role=rektor", "?region=14&sector=region&area=school&page=2", "?municipality=0180&area=elderly_care"}
	for _, p := range paths {
		start := time.Now()
		anna.api("GET", "/api/v1/members"+p, nil).wantStatus(http.StatusOK)
		anna.get("/members" + p).wantStatus(http.StatusOK)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v with 5,000 members", p, d)
		}
	}
	n := 0
	for _, q := range rec.take() {
		if !strings.Contains(q, "FROM members m") && !strings.Contains(q, "FROM member_areas") {
			continue
		}
		n++
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		args := make([]any, strings.Count(q, "?"))
		if err := sqlx.Select(a.db, &plan, "EXPLAIN QUERY PLAN "+q, args...); err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		var steps []string
		for _, step := range plan {
			if scanRE.MatchString(step.Detail) {
				t.Errorf("a full scan (%s) in\n%s", step.Detail, q)
			}
			steps = append(steps, step.Detail)
		}
		// A filter on a place or sector walks that filter's index, in
		// the order of the list, not every member.
		if regexp.MustCompile(`m\.(region|municipality|sector) = \?`).MatchString(q) &&
			!regexp.MustCompile(`members_(region|municipality|sector) \(`).MatchString(strings.Join(steps, "\n")) {
			t.Errorf("a filtered directory query walks no filter index: %v\n%s", steps, q)
		}
	}
	if n < 8 {
		t.Fatalf("only %d directory queries recorded", n)
	}
}
