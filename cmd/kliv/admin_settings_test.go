package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kliv/forum"
)

func TestSiteSettings(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	ad, mod := clientFor(t, a, "ada"), clientFor(t, a, "mona")
	visitor := newTestClient(t, a)

	// The defaults: Kliv and the catalogs' rules.
	visitor.get("/rules").wantStatus(http.StatusOK).contains("Vara vänlig och saklig")
	visitor.get("/").contains("<title>Kliv</title>", "Kliv är mötesplatsen")
	mod.get("/admin/settings").wantStatus(http.StatusForbidden)
	mod.api("PUT", "/api/v1/admin/settings", map[string]any{"name": "X"}).wantStatus(http.StatusForbidden)
	ad.get("/admin/settings").wantStatus(http.StatusOK).contains("Webbplatsens namn", "1. Vara vänlig och saklig")

	// Saving the form as shown changes nothing and writes no line.
	vals := url.Values{"name": {"Kliv"}}
	for _, lang := range []string{"sv", "en"} {
		l := a.loc0(lang)
		vals.Set("description_"+lang, l.T("landing.lead"))
		vals.Set("rules_"+lang, strings.ReplaceAll(defaultRules(l), "\n", "\r\n"))
	}
	ad.postForm("/admin/settings", vals).wantStatus(http.StatusSeeOther)
	if n := countRows(t, a, "audit_log"); n != 0 {
		t.Errorf("an unchanged save wrote %d audit lines", n)
	}
	if n := countRows(t, a, "settings WHERE key LIKE 'site.%'"); n != 0 {
		t.Errorf("an unchanged save stored %d settings", n)
	}

	// Bad input: a clear 400 that keeps what was typed.
	bad := cloneValues(vals)
	bad.Set("name", strings.Repeat("N", 61))
	bad.Set("rules_sv", "Egna regler som ska finnas kvar")
	ad.postForm("/admin/settings", bad).wantStatus(http.StatusBadRequest).contains("Webbplatsens namn", "Egna regler som ska finnas kvar")

	// New name, Swedish description and rules.
	vals.Set("name", "Chefsnätet")
	vals.Set("description_sv", "Ett nätverk för chefer i välfärden.")
	vals.Set("rules_sv", "Våra regler:\n\n1. Var **snäll**.\n2. <script>alert(1)</script>Dela inget om brukare.")
	ad.postForm("/admin/settings", vals).wantStatus(http.StatusSeeOther)
	ad.get("/admin/settings").contains("Inställningarna är sparade.", "Chefsnätet")
	r := visitor.get("/rules").wantStatus(http.StatusOK).contains("<strong>snäll</strong>", "Dela inget om brukare").lacks("<script>alert", "Vara vänlig och saklig")
	if !strings.Contains(r.Body, "<title>Gemenskapens regler · Chefsnätet</title>") {
		t.Errorf("title does not carry the new name:\n%s", r.Body[:600])
	}
	visitor.get("/").contains(`class="brand" href="/">Chefsnätet</a>`, "Ett nätverk för chefer i välfärden.", `<meta name="description" content="Ett nätverk för chefer i välfärden.">`).lacks("Kliv är mötesplatsen")
	// English readers keep the default English rules and description.
	visitor.Lang = "en"
	visitor.get("/rules").contains("Be kind and factual").lacks("snäll")
	visitor.get("/").contains("Chefsnätet")
	// Mail says the new name too.
	jr := mustApply(t, a, "bea", "sv")
	mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", jr.ID), map[string]any{}).wantStatus(http.StatusOK)
	var subject string
	if err := a.db.Get(&subject, `SELECT subject FROM outbox ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if subject != "Välkommen till Chefsnätet" {
		t.Errorf("mail subject %q", subject)
	}
	// The change is audited.
	var detail string
	if err := a.db.Get(&detail, `SELECT detail FROM audit_log WHERE action = 'settings.update'`); err != nil {
		t.Fatal(err)
	}
	if detail != "site.description.sv, site.name, site.rules.sv" {
		t.Errorf("audit detail %q", detail)
	}

	// The API: read, change one field, back to the default with "".
	j := ad.api("GET", "/api/v1/admin/settings", nil).wantStatus(http.StatusOK).json()
	if j["name"] != "Chefsnätet" || j["rules"].(map[string]any)["sv"] == nil {
		t.Errorf("settings API %v", j)
	}
	j = ad.api("PUT", "/api/v1/admin/settings", map[string]any{"rules": map[string]any{"en": "Be *kind*."}}).wantStatus(http.StatusOK).json()
	if j["name"] != "Chefsnätet" || j["rules"].(map[string]any)["en"] != "Be *kind*." {
		t.Errorf("after PUT %v", j)
	}
	visitor.get("/rules").contains("<em>kind</em>")
	ad.api("PUT", "/api/v1/admin/settings", map[string]any{"name": strings.Repeat("x", 61)}).wantStatus(http.StatusBadRequest)
	ad.api("PUT", "/api/v1/admin/settings", map[string]any{"name": ""}).wantStatus(http.StatusOK)
	newTestClient(t, a).get("/").contains(`class="brand" href="/">Kliv</a>`)
}
