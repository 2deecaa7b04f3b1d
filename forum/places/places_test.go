package places

import "testing"

func TestPlaces(t *testing.T) {
	if n := len(Regions()); n != 21 {
		t.Errorf("%d regions, want 21", n)
	}
	if n := len(Municipalities()); n != 290 {
		t.Errorf("%d municipalities, want 290", n)
	}
	names := map[string]bool{}
	for _, r := range Regions() {
		if len(r.Code) != 2 || r.Name == "" || names[r.Name] {
			t.Errorf("bad or duplicate region %+v", r)
		}
		names[r.Name] = true
		if len(InRegion(r.Code)) == 0 {
			t.Errorf("region %s has no municipalities", r.Name)
		}
	}
	names = map[string]bool{}
	codes := map[string]bool{}
	total := 0
	for _, m := range Municipalities() {
		if len(m.Code) != 4 || m.Name == "" || names[m.Name] || codes[m.Code] {
			t.Errorf("bad or duplicate municipality %+v", m)
		}
		names[m.Name], codes[m.Code] = true, true
		if _, ok := RegionByCode(m.Region); !ok {
			t.Errorf("municipality %s is in no region", m.Name)
		}
		if got, ok := MunicipalityByCode(m.Code); !ok || got != m {
			t.Errorf("MunicipalityByCode(%s) = %+v", m.Code, got)
		}
	}
	for _, r := range Regions() {
		total += len(InRegion(r.Code))
	}
	if total != 290 {
		t.Errorf("regions hold %d municipalities, want 290", total)
	}
	// Spot checks against SCB's list.
	for code, want := range map[string]string{"0180": "Stockholm", "1481": "Mölndal", "2584": "Kiruna", "0980": "Gotland", "1280": "Malmö"} {
		if got := MunicipalityName(code); got != want {
			t.Errorf("MunicipalityName(%s) = %q, want %q", code, got, want)
		}
	}
	if got := RegionName("14"); got != "Västra Götalands län" {
		t.Errorf("RegionName(14) = %q", got)
	}
	if RegionName("02") != "" || MunicipalityName("9999") != "" {
		t.Error("unknown codes have names")
	}
}

func TestGuess(t *testing.T) {
	for org, want := range map[string][2]string{
		"Göteborgs stad":                          {"14", "1480"},
		"Mölndals stad":                           {"14", "1481"},
		"Falu kommun":                             {"20", "2080"},
		"Malmö stad, Socialförvaltningen":         {"12", "1280"},
		"Upplands Väsby kommun":                   {"01", "0114"},
		"Örnsköldsviks kommun":                    {"22", "2284"},
		"Kiruna kommun":                           {"25", "2584"},
		"Gotland":                                 {"09", "0980"},
		"Visby, Region Gotland":                   {"09", ""},
		"Region Skåne, Psykiatri":                 {"12", ""},
		"Västra Götalandsregionen":                {"14", ""},
		"Region Jönköpings län":                   {"06", ""},
		"Region Jämtland Härjedalen":              {"23", ""},
		"Region Sörmland":                         {"04", ""},
		"Region Örebro län":                       {"18", ""},
		"Region Västmanland":                      {"19", ""},
		"Region Västerbotten":                     {"24", ""},
		"Region Norrbotten":                       {"25", ""},
		"Region Stockholm, Södertälje sjukhus":    {"01", ""},
		"Skolverket":                              {"", ""},
		"Socialstyrelsen":                         {"", ""},
		"":                                        {"", ""},
		"Lunds universitet":                       {"", ""},
		"Region Uppsala, Enköpings kommun":        {"03", "0381"},
		"Region Skåne, Stockholms stad (misstag)": {"12", ""},
	} {
		r, m := Guess(org)
		if r != want[0] || m != want[1] {
			t.Errorf("Guess(%q) = %q, %q; want %q, %q", org, r, m, want[0], want[1])
		}
	}
	for _, reg := range Regions() {
		if r, _ := Guess("Region " + reg.Name); r != reg.Code {
			t.Errorf("Guess(Region %s) = %q", reg.Name, r)
		}
	}
	for _, m := range Municipalities() {
		if r, mu := Guess(m.Name + " kommun"); mu != m.Code || r != m.Region {
			t.Errorf("Guess(%s kommun) = %q, %q", m.Name, r, mu)
		}
	}
}
