package seed

import (
	"math/rand/v2"
	"strings"
	"testing"

	"kliv/forum/places"
)

// Every seeded workplace lies where its name says.
func TestProfilePlace(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range municipalities {
		region, muni, _ := profilePlace(r, "municipality", p.Name+", Hemtjänsten", "Enhetschef")
		m, ok := places.MunicipalityByCode(muni)
		if !ok || m.Region != region || !strings.HasPrefix(p.Name, strings.TrimSuffix(m.Name, "n")) && p.Host != "gotland" {
			t.Errorf("%s: %s %s (%s)", p.Name, region, muni, m.Name)
		}
	}
	for _, p := range regions {
		region, muni, _ := profilePlace(r, "region", p.Name+", Vårdcentralen", "Verksamhetschef")
		if m, ok := places.MunicipalityByCode(muni); !ok || m.Region != region || region == "" {
			t.Errorf("%s: %s %s", p.Name, region, muni)
		}
	}
	for i := 0; i < 200; i++ {
		region, muni, areas := profilePlace(r, "municipality", "Kiruna kommun, Hemtjänsten", "Enhetschef hemtjänst")
		if region != "25" || muni != "2584" || !contains(areas, "home_care") {
			t.Fatalf("Kiruna: %s %s %v", region, muni, areas)
		}
		if region, muni, _ = profilePlace(r, "region", "Region Skåne, Psykiatrin", "Avdelningschef psykiatri"); region != "12" {
			t.Fatalf("Region Skåne: %s %s", region, muni)
		}
		region, muni, _ = profilePlace(r, "state", "Skolverket, Enheten", "Enhetschef")
		if m, ok := places.MunicipalityByCode(muni); !ok || m.Region != region {
			t.Fatalf("state: %s %s", region, muni)
		}
	}
}
