package seed

import (
	"math/rand/v2"
	"testing"

	"kliv/forum/places"
)

func TestProfilePlace(t *testing.T) {
	for org, want := range map[string]string{"Göteborgs stad": "1480", "Falu kommun": "2080", "Malmö stad": "1280",
		"Upplands Väsby kommun": "0114", "Örnsköldsviks kommun": "2284", "Visby, Region Gotland": ""} {
		if got := municipalityOf(org); got != want {
			t.Errorf("municipalityOf(%q) = %q, want %q", org, got, want)
		}
	}
	for _, p := range municipalities {
		name, _, _ := cutComma(p.Name)
		if municipalityOf(name) == "" && p.Host != "gotland" {
			t.Errorf("no municipality for %q", p.Name)
		}
	}
	for _, p := range regions {
		if regionOf(p.Name) == "" {
			t.Errorf("no region for %q", p.Name)
		}
	}
	if got := regionOf("Västra Götalandsregionen"); got != "14" {
		t.Errorf("VGR in %q", got)
	}
	for org, want := range map[string]string{"Region Norrbotten": "25", "Region Jönköpings län": "06", "Region Västmanland": "19",
		"Region Västerbotten": "24", "Region Gotland": "09", "Region Örebro län": "18", "Region Jämtland Härjedalen": "23"} {
		if got := regionOf(org); got != want {
			t.Errorf("regionOf(%q) = %q, want %q", org, got, want)
		}
	}
	if got := regionOf("Region Sörmland"); got != "04" {
		t.Errorf("Sörmland in %q", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		region, muni, areas := profilePlace(r, "municipality", "Kiruna kommun, Hemtjänsten", "Enhetschef hemtjänst")
		if region != "25" || muni != "2584" || !contains(areas, "home_care") {
			t.Fatalf("Kiruna: %s %s %v", region, muni, areas)
		}
		if region, muni, _ = profilePlace(r, "municipality", "Visby, Region Gotland, Hemtjänsten", "Enhetschef"); muni != "0980" {
			t.Fatalf("Visby: %s %s", region, muni)
		}
		region, muni, _ = profilePlace(r, "state", "Skolverket, Enheten", "Enhetschef")
		if m, ok := places.MunicipalityByCode(muni); !ok || m.Region != region {
			t.Fatalf("state: %s %s", region, muni)
		}
	}
}

func cutComma(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
