package seed

import (
	"math/rand/v2"
	"strings"

	"kliv/forum"
	"kliv/forum/places"
)

// areaWords name the areas of responsibility a role title or workplace
// speaks of ("Enhetschef hemtjänst" → home care).
var areaWords = []struct{ word, area string }{
	{"äldre", "elderly_care"}, {"särskilt boende", "elderly_care"}, {"hemtjänst", "home_care"}, {"hemsjukvård", "home_care"},
	{"lss", "disability"}, {"funktionsstöd", "disability"}, {"habilitering", "disability"}, {"social", "social_services"},
	{"ifo", "social_services"}, {"individ- och familje", "child_family"}, {"barn och unga", "child_family"},
	{"försörjningsstöd", "financial_aid"}, {"bistånd", "financial_aid"}, {"förskol", "preschool"}, {"rektor", "school"},
	{"skol", "school"}, {"elevhälsa", "school"}, {"gymnasie", "upper_secondary"}, {"vuxenutbildning", "adult_education"},
	{"vård", "health_care"}, {"sjuksköterska", "health_care"}, {"läkare", "health_care"}, {"klinik", "health_care"},
	{"primärvård", "primary_care"}, {"vårdcentral", "primary_care"}, {"psykiatri", "psychiatry"}, {"arbetsmarknad", "labour_market"},
	{"hr", "hr"}, {"ekonomi", "finance"}, {"kvalitet", "quality"}, {"digital", "digitalisation"},
}

// profilePlace draws a seeded member's region, municipality and areas:
// a municipal workplace lies in its own municipality, a regional one in
// its region, the others anywhere; the areas follow her role title, with
// now and then one more.
func profilePlace(r *rand.Rand, sector, workplace, roleTitle string) (region, municipality string, areas []string) {
	region, municipality = places.Guess(workplace)
	if sector != "municipality" {
		municipality = "" // a regional or national office, somewhere in its region
	}
	if municipality == "" {
		in := places.Municipalities()
		if region != "" {
			in = places.InRegion(region)
		}
		municipality = pick(r, in).Code
	}
	if m, ok := places.MunicipalityByCode(municipality); ok {
		region = m.Region
	}
	text := strings.ToLower(roleTitle + " " + workplace)
	for _, w := range areaWords {
		if strings.Contains(text, w.word) && !contains(areas, w.area) {
			areas = append(areas, w.area)
		}
	}
	if len(areas) == 0 || r.IntN(3) == 0 {
		if a := pick(r, forum.Areas); !contains(areas, a) {
			areas = append(areas, a)
		}
	}
	return region, municipality, areas
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
