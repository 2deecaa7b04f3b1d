package orgs

import "testing"

func TestOrgs(t *testing.T) {
	count := map[string]int{}
	seen := map[string]bool{}
	for _, o := range All() {
		if seen[o.Name] {
			t.Errorf("%q twice", o.Name)
		}
		seen[o.Name] = true
		count[o.Sector]++
	}
	kommun := 0
	for _, o := range All() {
		if o.Sector == "municipality" && len(o.Name) > 7 && o.Name[len(o.Name)-7:] == " kommun" {
			kommun++
		}
	}
	if kommun != 290 {
		t.Errorf("%d municipalities named … kommun, want 290", kommun)
	}
	if count["region"] != 21 {
		t.Errorf("%d regions, want 21", count["region"])
	}
	if count["state"] < 10 {
		t.Errorf("only %d agencies", count["state"])
	}
	for _, name := range []string{"Gotlands kommun", "Region Gotland", "Stockholms stad", "Falu kommun", "Mölndals stad",
		"Västra Götalandsregionen", "Region Stockholm", "Socialstyrelsen", "Skolverket", "Försäkringskassan", "Dals-Eds kommun"} {
		if !seen[name] {
			t.Errorf("%q missing", name)
		}
	}
	if Sector("mölndals stad") != "municipality" || Sector("Region Skåne") != "region" || Sector("Skolverket") != "state" || Sector("Acme AB") != "" {
		t.Error("Sector is wrong")
	}
}
