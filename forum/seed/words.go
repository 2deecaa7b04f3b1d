package seed

// The word lists the demo data is made of: names, workplaces across the
// country's regions and sectors, role titles, and the phrases posts are
// built from. Everything here is invented; organisations are real names
// used only as places of work, and every e-mail address ends in the
// reserved top-level domain .example, so no mail can reach anyone.

var firstNames = []string{
	"Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin", "Ingrid",
	"Marie", "Malin", "Jenny", "Hanna", "Linda", "Annika", "Susanne", "Elin", "Johanna", "Sofia",
	"Camilla", "Helena", "Ida", "Monica", "Ulrika", "Åsa", "Louise", "Cecilia", "Therese", "Frida",
	"Lisa", "Anneli", "Katarina", "Petra", "Maja", "Agneta", "Birgitta", "Margareta", "Ewa", "Gunilla",
	"Ulla", "Elisabeth", "Charlotte", "Jessica", "Sanna", "Linnéa", "Matilda", "Amanda", "Josefin", "Emelie",
	"Mikaela", "Pernilla", "Veronica", "Carina", "Jeanette", "Madeleine", "Rebecka", "Tove", "Lovisa", "Klara",
	"Nadia", "Amira", "Leila", "Fatima", "Yasmin", "Aida", "Mirja", "Päivi", "Riikka", "Aino",
	"Ylva", "Stina", "Märta", "Sigrid", "Greta", "Astrid", "Ebba", "Elsa", "Alva", "Selma",
	"Vera", "Hedvig", "Nora", "Mona", "Yvonne", "Gabriella", "Natalie", "Dragana", "Jelena", "Zeynep",
	"Hiba", "Maryam", "Samira", "Britt", "Inger", "Marianne", "Viktoria", "Caroline", "Julia", "Paulina",
}

var lastNames = []string{
	"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
	"Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson",
	"Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
	"Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Ali", "Engström",
	"Mohammed", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
	"Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
	"Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström", "Ahmed", "Viklund", "Björklund", "Eliasson", "Pålsson",
	"Berggren", "Sandström", "Lund", "Nordin", "Ström", "Åberg", "Hermansson", "Ekström", "Holmgren", "Sundberg",
	"Hedlund", "Dahlberg", "Hellström", "Sjögren", "Abrahamsson", "Falk", "Martinsson", "Öberg", "Andreasson", "Strömberg",
	"Månsson", "Hussein", "Åkesson", "Nordqvist", "Virtanen", "Korhonen", "Hodžić", "Kovačević", "Yilmaz", "Haddad",
}

// place is a municipality or region with the host its made-up e-mail
// addresses use.
type place struct {
	Name   string // as a workplace: "Malmö stad"
	Host   string // e-mail host before .example
	Region string // the county region it lies in
}

var municipalities = []place{
	{"Malmö stad", "malmo", "Skåne"}, {"Göteborgs stad", "goteborg", "Västra Götaland"}, {"Stockholms stad", "stockholm", "Stockholm"},
	{"Uppsala kommun", "uppsala", "Uppsala"}, {"Linköpings kommun", "linkoping", "Östergötland"}, {"Örebro kommun", "orebro", "Örebro län"},
	{"Västerås stad", "vasteras", "Västmanland"}, {"Helsingborgs stad", "helsingborg", "Skåne"}, {"Norrköpings kommun", "norrkoping", "Östergötland"},
	{"Jönköpings kommun", "jonkoping", "Jönköpings län"}, {"Umeå kommun", "umea", "Västerbotten"}, {"Lunds kommun", "lund", "Skåne"},
	{"Borås stad", "boras", "Västra Götaland"}, {"Huddinge kommun", "huddinge", "Stockholm"}, {"Eskilstuna kommun", "eskilstuna", "Sörmland"},
	{"Gävle kommun", "gavle", "Gävleborg"}, {"Sundsvalls kommun", "sundsvall", "Västernorrland"}, {"Södertälje kommun", "sodertalje", "Stockholm"},
	{"Karlstads kommun", "karlstad", "Värmland"}, {"Växjö kommun", "vaxjo", "Kronoberg"}, {"Halmstads kommun", "halmstad", "Halland"},
	{"Luleå kommun", "lulea", "Norrbotten"}, {"Trollhättans stad", "trollhattan", "Västra Götaland"}, {"Östersunds kommun", "ostersund", "Jämtland Härjedalen"},
	{"Borlänge kommun", "borlange", "Dalarna"}, {"Falu kommun", "falun", "Dalarna"}, {"Kalmar kommun", "kalmar", "Kalmar län"},
	{"Kristianstads kommun", "kristianstad", "Skåne"}, {"Skellefteå kommun", "skelleftea", "Västerbotten"}, {"Nacka kommun", "nacka", "Stockholm"},
	{"Botkyrka kommun", "botkyrka", "Stockholm"}, {"Haninge kommun", "haninge", "Stockholm"}, {"Varbergs kommun", "varberg", "Halland"},
	{"Uddevalla kommun", "uddevalla", "Västra Götaland"}, {"Kiruna kommun", "kiruna", "Norrbotten"}, {"Örnsköldsviks kommun", "ornskoldsvik", "Västernorrland"},
	{"Piteå kommun", "pitea", "Norrbotten"}, {"Motala kommun", "motala", "Östergötland"}, {"Landskrona stad", "landskrona", "Skåne"},
	{"Ystads kommun", "ystad", "Skåne"}, {"Sandvikens kommun", "sandviken", "Gävleborg"}, {"Hudiksvalls kommun", "hudiksvall", "Gävleborg"},
	{"Arvika kommun", "arvika", "Värmland"}, {"Ljusdals kommun", "ljusdal", "Gävleborg"}, {"Strömsunds kommun", "stromsund", "Jämtland Härjedalen"},
	{"Arjeplogs kommun", "arjeplog", "Norrbotten"}, {"Tranås kommun", "tranas", "Jönköpings län"}, {"Alingsås kommun", "alingsas", "Västra Götaland"},
	{"Lerums kommun", "lerum", "Västra Götaland"}, {"Karlskrona kommun", "karlskrona", "Blekinge"}, {"Visby, Region Gotland", "gotland", "Gotland"},
	{"Nyköpings kommun", "nykoping", "Sörmland"}, {"Enköpings kommun", "enkoping", "Uppsala"}, {"Västerviks kommun", "vastervik", "Kalmar län"},
}

var municipalUnits = []string{
	"Vård- och omsorgsförvaltningen", "Socialförvaltningen", "Utbildningsförvaltningen", "Förskoleförvaltningen",
	"Individ- och familjeomsorgen", "Funktionsstödsförvaltningen", "Kommunledningskontoret", "Äldreförvaltningen",
	"Arbetsmarknadsförvaltningen", "Hemtjänsten", "Elevhälsan", "Biståndsenheten", "Hemsjukvården",
}

var regions = []place{
	{"Region Skåne", "regionskane", "Skåne"}, {"Region Stockholm", "regionstockholm", "Stockholm"},
	{"Västra Götalandsregionen", "vgregion", "Västra Götaland"}, {"Region Uppsala", "regionuppsala", "Uppsala"},
	{"Region Östergötland", "regionostergotland", "Östergötland"}, {"Region Jönköpings län", "rjl", "Jönköpings län"},
	{"Region Kronoberg", "kronoberg", "Kronoberg"}, {"Region Kalmar län", "regionkalmar", "Kalmar län"},
	{"Region Gotland", "gotland", "Gotland"}, {"Region Blekinge", "regionblekinge", "Blekinge"},
	{"Region Halland", "regionhalland", "Halland"}, {"Region Värmland", "regionvarmland", "Värmland"},
	{"Region Örebro län", "regionorebrolan", "Örebro län"}, {"Region Västmanland", "regionvastmanland", "Västmanland"},
	{"Region Dalarna", "regiondalarna", "Dalarna"}, {"Region Gävleborg", "regiongavleborg", "Gävleborg"},
	{"Region Västernorrland", "rvn", "Västernorrland"}, {"Region Jämtland Härjedalen", "regionjh", "Jämtland Härjedalen"},
	{"Region Västerbotten", "regionvasterbotten", "Västerbotten"}, {"Region Norrbotten", "norrbotten", "Norrbotten"},
	{"Region Sörmland", "regionsormland", "Sörmland"},
}

var regionUnits = []string{
	"Vårdcentralen Centrum", "Akutmottagningen", "Vuxenpsykiatrin", "Barn- och ungdomspsykiatrin", "Närsjukvården",
	"Medicinkliniken", "Habiliteringen", "Folktandvården", "Kvinnokliniken", "Ambulanssjukvården", "Geriatriken",
	"Rehabiliteringsmedicin", "Primärvården", "Ortopedkliniken",
}

var agencies = []place{
	{"Försäkringskassan", "forsakringskassan", ""}, {"Arbetsförmedlingen", "arbetsformedlingen", ""},
	{"Socialstyrelsen", "socialstyrelsen", ""}, {"Skolverket", "skolverket", ""},
	{"Statens institutionsstyrelse", "stat-inst", ""}, {"Inspektionen för vård och omsorg", "ivo", ""},
	{"Skolinspektionen", "skolinspektionen", ""}, {"Kriminalvården", "kriminalvarden", ""},
	{"Migrationsverket", "migrationsverket", ""}, {"Folkhälsomyndigheten", "folkhalsomyndigheten", ""},
	{"Myndigheten för delaktighet", "mfd", ""}, {"Specialpedagogiska skolmyndigheten", "spsm", ""},
	{"Arbetsmiljöverket", "av", ""}, {"Länsstyrelsen i Västra Götalands län", "lansstyrelsen", "Västra Götaland"},
	{"Länsstyrelsen i Norrbottens län", "lansstyrelsen", "Norrbotten"}, {"Pensionsmyndigheten", "pensionsmyndigheten", ""},
}

var agencyUnits = []string{
	"Avdelningen för tillsyn", "Enheten för analys", "Kundmötesavdelningen", "Avdelningen för kunskapsstyrning",
	"Region Syd", "Region Nord", "Lokalkontoret", "HR-avdelningen", "Utvecklingsavdelningen",
}

var otherOrgs = []place{
	{"Sveriges Kommuner och Regioner", "skr", ""}, {"Stockholms Stadsmission", "stadsmissionen", "Stockholm"},
	{"Göteborgs Stadsmission", "stadsmissionen-gbg", "Västra Götaland"}, {"Famna", "famna", ""},
	{"Samordningsförbundet Västernorrland", "samordningsforbund", "Västernorrland"},
	{"Kommunförbundet Skåne", "kfsk", "Skåne"}, {"Räddningsmissionen", "raddningsmissionen", "Västra Götaland"},
	{"Kommunalförbundet Sjuhärad", "sjuharad", "Västra Götaland"}, {"Storsthlm", "storsthlm", "Stockholm"},
	{"Region- och kommunförbundet i Jämtlands län", "rkf", "Jämtland Härjedalen"},
}

var roleTitles = map[string][]string{
	"municipality": {
		"Enhetschef hemtjänst", "Enhetschef särskilt boende", "Verksamhetschef äldreomsorg", "Rektor", "Biträdande rektor",
		"Rektor förskola", "Socialchef", "Förvaltningschef", "Avdelningschef IFO", "Sektionschef barn och unga",
		"Områdeschef funktionsstöd", "Kommundirektör", "HR-chef", "Medicinskt ansvarig sjuksköterska", "Gruppchef försörjningsstöd",
		"Kvalitetschef", "Äldreomsorgschef", "Skolchef", "Biståndschef", "Enhetschef LSS",
	},
	"region": {
		"Vårdenhetschef", "Verksamhetschef", "Avdelningschef", "Sektionschef", "Områdeschef primärvård", "Chefsjuksköterska",
		"Verksamhetschef vårdcentral", "Klinikchef", "Hälso- och sjukvårdsdirektör", "Chefläkare", "Biträdande vårdenhetschef",
		"Enhetschef habilitering", "Avdelningschef psykiatri",
	},
	"state": {
		"Enhetschef", "Sektionschef", "Avdelningschef", "Gruppchef", "Områdeschef", "Kontorschef", "Teamchef", "Regionchef",
		"Institutionschef", "Biträdande avdelningschef",
	},
	"other": {
		"Verksamhetschef", "Förbundschef", "Generalsekreterare", "Enhetschef", "Avdelningschef", "Verksamhetsledare",
	},
}

var motivations = []string{
	"Jag har varit chef i offentlig sektor i många år och saknar ett sammanhang där jag kan prata med andra i samma roll.",
	"Jag är ny som chef och vill gärna lära av andra som har gått samma väg.",
	"Vi står inför en stor omorganisation och jag vill kunna bolla frågor med kollegor i andra kommuner.",
	"En kollega tipsade om Kliv och sa att det är ett tryggt ställe att diskutera ledarskap.",
	"Jag leder ett trettiotal medarbetare och vill utvecklas i mitt ledarskap tillsammans med andra kvinnor.",
	"Jag har ansvar för både budget och personal och vill dela erfarenheter kring kompetensförsörjning.",
	"Det är ensamt att vara chef ibland. Jag hoppas hitta ett nätverk här.",
	"Jag vill gärna bidra med mina erfarenheter från tillitsbaserad styrning och lära mig mer.",
}

// rejectReasons are the preset rejection reasons (moderation.RejectReasons)
// as the moderation package stores them.
var rejectReasons = []string{"preset:not_public_sector", "preset:no_staff", "preset:not_leader", "preset:incomplete"}

// subjects are what topics in a category are about, by category slug.
// A category the seed does not know takes the general ones.
var subjects = map[string][]string{
	"ledarskap": {
		"svåra samtal med medarbetare", "att vara ny chef", "chefens egen återhämtning", "att leda på distans",
		"tillit i arbetsgruppen", "feedback som fungerar", "att leda chefer", "konflikter i arbetsgruppen",
		"att säga nej uppåt", "mentorskap för nya chefer", "att leda i förändring", "chefens kontrollspann",
		"ledningsgruppens arbetssätt", "att leda tidigare kollegor", "beslutsfattande under osäkerhet",
	},
	"aldreomsorg": {
		"kontinuitet i hemtjänsten", "heltid som norm", "delade turer", "välfärdsteknik i hemtjänsten",
		"schemaläggning i hemtjänsten", "nattbemanning på särskilt boende", "språkkrav för undersköterskor",
		"demensvård", "läkemedelshantering", "samverkan med primärvården", "anhörigstöd", "planeringsverktyg för hemtjänst",
		"kvalitetsuppföljning i äldreomsorgen", "undersköterska som skyddad titel", "trygg hemgång",
	},
	"skola-och-forskola": {
		"elevhälsan", "lärarbrist", "skolfrånvaro", "studiero i klassrummet", "förskolans barngrupper",
		"systematiskt kvalitetsarbete i skolan", "nyanlända elever", "rektors arbetsbelastning", "betygssättning",
		"digitala verktyg i undervisningen", "samverkan med vårdnadshavare", "förskollärarbrist", "särskilt stöd",
		"skolans budget", "ledningsstruktur på stora skolor",
	},
	"socialtjanst": {
		"den nya socialtjänstlagen", "personalomsättning bland socialsekreterare", "placeringskostnader",
		"ekonomiskt bistånd", "barnavårdsutredningar", "hot och våld mot personal", "förebyggande arbete",
		"samverkan med skolan", "dokumentation i socialtjänsten", "LSS-handläggning", "missbruksvård",
		"våld i nära relationer", "kvalitet i familjehemsvården", "introduktion av nya socialsekreterare",
	},
	"halso-och-sjukvard": {
		"sjuksköterskebrist", "hyrpersonal", "vårdplatsbrist", "god och nära vård", "vårdcentralens tillgänglighet",
		"arbetstidsmodeller för sjuksköterskor", "digitala vårdmöten", "samverkan med kommunen", "psykiatrins väntetider",
		"patientsäkerhet", "kompetensväxling", "schemaläggning i slutenvården", "akutens flöden", "specialistutbildning",
	},
	"arbetsmiljo-och-rekrytering": {
		"sjukfrånvaro", "rekrytering av undersköterskor", "kompetensförsörjning", "organisatorisk och social arbetsmiljö",
		"lönesättning", "introduktion av nyanställda", "arbetsplatsträffar", "medarbetarenkäter", "rehabilitering efter sjukskrivning",
		"heltidsresan", "employer branding", "exitsamtal", "schemaläggning", "kompetensutveckling",
	},
	"styrning": {
		"tillitsbaserad styrning", "budgetprocessen", "mål- och resultatstyrning", "uppföljning till nämnden",
		"politisk styrning", "verksamhetsplanering", "nyckeltal", "kvalitetsledningssystem", "internkontroll",
		"årshjulet", "besparingskrav", "styrning av digitalisering", "chefens mandat",
	},
	"tips-och-lankar": {
		"bra poddar om ledarskap", "rapporter om kompetensförsörjning", "böcker om förändringsledning",
		"stöd för arbetsmiljöarbetet", "verktyg för verksamhetsplanering", "utbildningar för chefer",
		"forskning om tillitsbaserad styrning", "mallar för medarbetarsamtal", "webbinarier om välfärdsteknik",
	},
	"traffar": {
		"nätverksträff i Göteborg", "frukostmöte i Malmö", "chefsträff i Stockholm", "digital fika",
		"studiebesök i Umeå", "nätverket i Norrland", "träff för nya chefer", "höstens träffar",
	},
	"fikarummet": {
		"semesterplanering", "bästa boken i sommar", "träning i vardagen", "hur ni kopplar av", "fredagsfika",
		"julbordet på jobbet", "hundar på kontoret", "när allt går bra",
	},
	"": {
		"arbetsmiljön", "budgeten", "samverkan", "kompetensutveckling", "uppföljning", "rekrytering", "ledarskap",
	},
}

// categoryWeights says how busy the known categories are relative to
// each other; unknown ones weigh 6.
var categoryWeights = map[string]int{
	"ledarskap": 18, "aldreomsorg": 12, "skola-och-forskola": 12, "socialtjanst": 12, "halso-och-sjukvard": 10,
	"arbetsmiljo-och-rekrytering": 12, "styrning": 8, "tips-och-lankar": 8, "traffar": 3, "fikarummet": 6,
}

var titleTemplates = map[string][]string{
	"discussion": {
		"{S} – hur gör ni?", "Erfarenheter av {s}", "Tankar om {s}", "{S}: vad fungerar hos er?", "Någon mer som brottas med {s}?",
		"Reflektion kring {s}", "{S} – vi behöver prata om det", "Hur har ni organiserat {s}?", "Ett år med {s}",
		"{S} i en liten kommun", "Om {s}",
	},
	"question": {
		"Hur gör ni med {s}?", "Vem har erfarenhet av {s}?", "Finns det bra stöd kring {s}?", "Fråga om {s}",
		"Tips på hur man kommer igång med {s}?", "Hur följer ni upp {s}?", "Vad säger ni till politikerna om {s}?",
		"Någon som har en bra mall för {s}?", "Hur får ni medarbetarna med på {s}?",
	},
	"tip": {
		"Tips: {s}", "Så fick vi ordning på {s}", "Ett enkelt sätt att förbättra {s}", "Checklista för {s}",
		"Det här hjälpte oss med {s}", "Fem lärdomar om {s}", "Vårt arbetssätt för {s}",
	},
}

// site is a public-sector web site links are shared from.
type site struct {
	Name  string
	Base  string   // scheme and host
	Paths []string // path prefixes
}

var sites = []site{
	{"Skolverket", "https://www.skolverket.se", []string{"/skolutveckling/forskning-och-utvarderingar/", "/regler-och-ansvar/ansvar-i-skolfragor/", "/undervisning/grundskolan/", "/skolutveckling/leda-och-organisera-skolan/"}},
	{"Socialstyrelsen", "https://www.socialstyrelsen.se", []string{"/kunskapsstod-och-regler/omraden/aldre/", "/kunskapsstod-och-regler/omraden/barn-och-unga/", "/publikationer/", "/statistik-och-data/rapporter/"}},
	{"Arbetsmiljöverket", "https://www.av.se", []string{"/arbetsmiljoarbete-och-inspektioner/", "/halsa-och-sakerhet/psykosociala-risker-och-stress/", "/vard-och-omsorg/", "/arbetsmiljoarbete-och-inspektioner/publikationer/"}},
	{"SKR", "https://skr.se", []string{"/skr/arbetsgivarekonomi/", "/skr/halsasjukvard/", "/skr/demokratiledningstyrning/", "/skr/vardochomsorg/", "/skr/skolakulturfritid/"}},
	{"IVO", "https://www.ivo.se", []string{"/publicerat-material/rapporter/", "/tillsyn/"}},
	{"Folkhälsomyndigheten", "https://www.folkhalsomyndigheten.se", []string{"/publikationer-och-material/", "/livsvillkor-levnadsvanor/"}},
	{"Försäkringskassan", "https://www.forsakringskassan.se", []string{"/arbetsgivare/sjukdom-och-skada/", "/statistik-och-analys/"}},
	{"Vårdhandboken", "https://www.vardhandboken.se", []string{"/arbetssatt-och-ansvar/", "/vard-och-behandling/"}},
	{"Kunskapsguiden", "https://kunskapsguiden.se", []string{"/omraden-och-teman/aldre/", "/omraden-och-teman/barn-och-unga/", "/omraden-och-teman/ledarskap/"}},
	{"Regeringen", "https://www.regeringen.se", []string{"/rattsliga-dokument/statens-offentliga-utredningar/", "/pressmeddelanden/"}},
	{"Prevent", "https://www.prevent.se", []string{"/kunskap/", "/verktyg/"}},
	{"Suntarbetsliv", "https://www.suntarbetsliv.se", []string{"/artiklar/ledarskap/", "/verktyg/"}},
	{"Malmö stad", "https://malmo.se", []string{"/Service/Var-stad-och-var-omvarld/", "/Stadsutveckling/"}},
	{"Göteborgs stad", "https://goteborg.se", []string{"/wps/portal/start/kommun-och-politik/", "/wps/portal/start/omsorg-och-stod/"}},
	{"Uppsala kommun", "https://www.uppsala.se", []string{"/kommun-och-politik/", "/omsorg-och-stod/"}},
	{"Umeå kommun", "https://www.umea.se", []string{"/omsorgochstod/", "/kommunochpolitik/"}},
	{"Region Skåne", "https://vardgivare.skane.se", []string{"/kompetens-utveckling/", "/vardriktlinjer/"}},
	{"Västra Götalandsregionen", "https://www.vgregion.se", []string{"/halsa-och-vard/", "/om-vgr/"}},
}

var linkTitles = []string{
	"{N}: ny vägledning om {s}", "{N} har släppt en rapport om {s}", "Läsvärt från {N} om {s}", "{N}: stödmaterial för {s}",
	"Ny rapport om {s}", "Bra sammanställning om {s} ({N})", "{N} om {s}",
}

// Phrases posts are built from. In a template {s} is the topic's subject,
// {p} people one leads, {q} people one works with, {o} one's own
// organisation, {t} a span of time, {m} a moment, {v} a verb phrase, {n}
// a noun, {a} an adjective, {c} a place; a capital letter capitalises.
var (
	people = []string{
		"medarbetarna", "undersköterskorna", "lärarna", "socialsekreterarna", "sjuksköterskorna", "enhetscheferna",
		"de nyanställda", "vikarierna", "skyddsombuden", "ledningsgruppen", "mina chefskollegor", "förskollärarna",
		"handläggarna", "arbetsterapeuterna",
	}
	partners = []string{
		"politikerna", "facket", "HR", "brukarna", "de boende", "anhöriga", "eleverna", "vårdnadshavarna",
		"patienterna", "nämnden", "förvaltningsledningen", "ekonomerna",
	}
	orgs = []string{
		"vår förvaltning", "vår enhet", "vårt område", "min verksamhet", "vår kommun", "regionen", "vårt team",
		"ledningsgruppen", "vår skola", "vårt boende", "vår vårdcentral", "vår avdelning",
	}
	times = []string{
		"sedan i våras", "de senaste två åren", "sedan omorganisationen", "sedan januari", "i flera år",
		"sedan förra sommaren", "sedan början av året", "under det senaste året", "sedan i höstas",
	}
	moments = []string{
		"i höstas", "förra året", "i våras", "efter omorganisationen", "i januari", "förra hösten", "i början av året",
	}
	verbs = []string{
		"prioritera", "följa upp", "förankra", "sätta ord på", "dela upp ansvaret för", "hålla fast vid", "ta tag i",
		"skapa struktur kring", "våga prata om", "arbeta systematiskt med", "se över", "planera", "samordna", "förenkla",
	}
	nouns = []string{
		"arbetsmiljön", "budgeten", "schemat", "bemanningen", "uppföljningen", "dokumentationen", "introduktionen",
		"kompetensutvecklingen", "samverkan", "sjukfrånvaron", "rekryteringen", "delegeringen", "arbetsplatsträffarna",
		"medarbetarsamtalen", "lönesättningen", "kontinuiteten", "rutinerna", "kommunikationen", "ansvarsfördelningen",
	}
	adjs = []string{
		"tydlig", "långsiktig", "hållbar", "gemensam", "realistisk", "enkel", "konkret", "genomtänkt",
	}
	cities = []string{
		"Umeå", "Malmö", "Göteborg", "Luleå", "Örebro", "Växjö", "Sundsvall", "Uppsala", "Karlstad", "Gävle",
		"Linköping", "Kalmar", "Östersund", "Halmstad", "Visby", "Jönköping", "Falun", "Kiruna",
	}

	statements = []string{
		"Hos oss har vi arbetat med {s} {t}, och det har gett resultat.",
		"Det svåraste för mig som chef är att {v} {n} när {p} redan går på knäna.",
		"Vi bestämde oss för att {v} {n} tillsammans med {p}.",
		"{M} införde vi en ny modell för {s}, och {p} var skeptiska i början.",
		"Mitt bästa råd är att {v} {n} tidigt och att involvera {p}.",
		"Det som fungerade bäst var att ha en {a} plan och att följa upp varje månad.",
		"Vi har inte löst det helt, men vi är på väg.",
		"Ekonomin sätter förstås ramarna, men det går att göra mycket med små medel.",
		"Jag tror att nyckeln är tillit – att {p} får vara med och forma arbetet.",
		"I {o} har politikerna beslutat att vi ska {v} {s} under nästa år.",
		"Det tog ungefär ett halvår innan vi såg någon skillnad i {n}.",
		"Vi följer {n} varje kvartal och redovisar för nämnden.",
		"Ett tips är att börja i liten skala, med en enhet i taget.",
		"Min erfarenhet är att {p} uppskattar när man är tydlig med varför.",
		"Samtidigt får vi inte glömma vårt eget ledarskap och vår egen återhämtning.",
		"{Q} har varit med från början, och det har gjort stor skillnad.",
		"Vi har haft en dialog med {q} hela vägen, och det har lönat sig.",
		"Det är viktigt att {q} förstår vad {s} betyder i praktiken.",
		"Nästa steg för oss är att {v} {n} tillsammans med ledningsgruppen.",
		"Vi har haft en hög personalomsättning, och det påverkar {n} mer än man tror.",
		"Ibland behöver man helt enkelt säga nej till nya uppdrag.",
		"En kollega i {c} har gjort ett fint arbete med just {s}.",
		"För oss blev det en vändpunkt när vi fick en {a} struktur för {n}.",
		"Jag har lärt mig att det sällan blir bättre av att vänta.",
		"{T} har vi haft fokus på {s}, men {n} har fått stå tillbaka.",
		"Det handlar mycket om att {v} {n} och att ge {p} rimliga förutsättningar.",
		"När vi räknade på det visade det sig att {s} kostade mindre än vi trodde.",
		"Vi har tagit hjälp av företagshälsovården, vilket var värt varje krona.",
		"Det viktigaste är nog att vara tydlig och att hålla i över tid.",
		"Jag brukar säga att {n} är allas ansvar, men att någon måste hålla i pennan.",
		"{P} i {o} har mycket kunskap som vi inte alltid tar till vara.",
		"Det är lätt att fastna i det akuta och glömma det långsiktiga.",
		"Vi har en {a} överenskommelse med facket som har underlättat mycket.",
		"Efter ett par månader märkte vi att {p} började ta mer eget ansvar.",
	}
	// replyStatements make sense in an answer only.
	replyStatements = []string{
		"Jag känner verkligen igen mig i det du beskriver.", "Det låter som en klok väg framåt.",
		"Precis så är det hos oss också.", "Bra att du lyfter det här.", "Jag tänker likadant som du.",
	}
	questions = []string{
		"Hur har ni gjort med {s}?",
		"Kan du berätta mer om hur ni organiserade {n}?",
		"Har någon erfarenhet av att {v} {n} i en större organisation?",
		"Hur fick ni med {p} på förändringen?",
		"Vad säger {q} om det hos er?",
		"Hur lång tid tog det innan ni såg någon effekt?",
		"Finns det någon som har en mall eller checklista att dela?",
		"Hur hanterar ni {s} när budgeten inte räcker till?",
		"Är det fler som upplever samma sak?",
		"Hur följer ni upp {n} i praktiken?",
	}
	shortReplies = []string{
		"Tack, det här var till stor hjälp!", "Håller med!", "Samma här.", "Vilket bra tips, det tar jag med mig.",
		"Snyggt jobbat!", "Intressant – hur gick det sedan?", "Följer tråden med intresse.", "Starkt skrivet.",
		"Precis det jag behövde läsa i dag.", "Tack för att du delar med dig!", "Så klokt.", "Det här känner jag igen.",
		"Spännande, berätta gärna mer!", "Jag sparar den här tråden.", "Heja dig!", "Bra fråga, jag undrar samma sak.",
	}
	openers = []string{
		"Hej!", "Hej alla!", "Hej på er!", "Jag vill gärna dela med mig av våra erfarenheter.", "Kort bakgrund:",
	}
	replyOpeners = []string{
		"Tack för en viktig fråga.", "Vad bra att du tar upp det här.", "Hej!", "Intressant tråd.", "Jag håller med dig.",
	}
	listIntros = []string{
		"Det här har fungerat för oss:", "Några saker vi gjorde:", "Så här gick vi till väga:", "Mina tre bästa tips:",
		"Det vi lärde oss:", "Några frågor vi ställde oss:",
	}
	listItems = []string{
		"Tydliga mål för varje enhet", "Korta avstämningar varje morgon", "En gemensam planeringsdag per termin",
		"Mentorer för nya chefer", "Fasta tider för medarbetarsamtal", "Digitala checklistor", "Stöd från HR i rehabiliteringsärenden",
		"Regelbundna arbetsplatsträffar", "En tydlig delegationsordning", "Önskeschema med tydliga ramar",
		"Uppföljning av sjukfrånvaron varje månad", "Samverkan med facket i ett tidigt skede", "Reflektionstid i arbetsgruppen",
		"En friskvårdstimme i veckan", "Ett tydligt årshjul", "Introduktionsprogram på fyra veckor", "Gemensam bild av uppdraget",
		"Färre men tydligare nyckeltal", "Chefsstöd från en erfaren kollega", "Återkoppling till medarbetarna efter varje beslut",
	}
	closers = []string{
		"Lycka till!", "Hör gärna av dig om du vill veta mer.", "Kram!", "Ha en fin dag!", "Hoppas det hjälper.",
		"Vi hörs!", "Berätta gärna hur det går.", "Stort tack på förhand!",
	}
	linkTexts = []string{
		"stödmaterialet", "den här rapporten", "vägledningen", "sammanställningen", "deras checklista", "underlaget",
	}
)

// voice is what the posts of a category are made of.
type voice struct {
	statements []string // for first posts
	replies    []string // for replies
	questions  []string
	titles     []string // for every kind but links; nil: by kind
}

var defaultVoice = &voice{statements: statements, replies: append(statements[:len(statements):len(statements)], replyStatements...),
	questions: questions}

// voices are the categories that talk differently from the rest.
var voices = map[string]*voice{
	"traffar": {
		statements: []string{
			"Vi ses för att prata ledarskap och dela erfarenheter över en fika.",
			"Vi har bokat en lokal i {c} och det finns plats för ett trettiotal.",
			"Programmet är enkelt: en kort inledning, samtal i mindre grupper och en gemensam avslutning.",
			"Ingen förberedelse behövs, kom som du är.", "Anmäl dig här i tråden så att vi vet hur mycket fika vi ska beställa.",
			"Förra gången blev det väldigt uppskattat, så nu kör vi igen.",
		},
		replies: []string{
			"Jag kommer gärna!", "Vi ses där!", "Vad roligt att det blir av igen.",
			"Tyvärr krockar det med ett nämndsammanträde, men nästa gång är jag med.",
			"Senast var det väldigt givande – rekommenderas!", "Jag tar med en kollega från {o} om det går bra.",
			"Förra träffen i {c} gav mig mycket energi inför hösten.", "Anmäld!",
			"Vi kan gärna vara hos oss i {c} nästa gång, vi har en bra lokal.",
			"Det bästa med träffarna är att man får prata med någon som förstår.",
			"Jag var med {m} och fick flera kontakter som jag fortfarande har nytta av.",
			"Fika och erfarenhetsutbyte, bättre kan det inte bli.",
		},
		questions: []string{
			"Finns det plats för en till?", "Kan vi samåka från {c}?", "Blir det digitalt också för oss som bor långt bort?",
			"Vilken tid börjar det?", "Behöver man anmäla sig i förväg?",
		},
		titles: []string{"{S} – vem kommer?", "{S}", "Anmälan: {s}", "{S}: program och plats", "Välkommen till {s}!"},
	},
	"fikarummet": {
		statements: []string{
			"Jag har precis läst en bok om ledarskap som jag verkligen kan rekommendera.",
			"Promenadmöten är min räddning.", "I sommar blir det stuga och ingen dator.",
			"Vi har en fikalista på jobbet och den är viktigare än man tror.", "Min hund är nog den bästa kollegan jag har haft.",
			"Jag försöker stänga av mejlen efter fem, men det går sådär.",
			"Kanelbullens dag är helig på vår enhet.", "Träning på lunchen har blivit en vana för mig {t}.",
			"Ibland är det de små sakerna som gör veckan.", "Vi firade med tårta när vi klarade budgeten i år.",
		},
		replies: []string{
			"Skönt att höra att fler känner så.", "Haha, känner igen mig!", "Promenadmöten är min räddning.",
			"Jag har precis läst en bok om ledarskap som jag verkligen kan rekommendera.",
			"Jag försöker stänga av mejlen efter fem, men det går sådär.", "Ibland är det de små sakerna som gör veckan.",
			"Min hund är nog den bästa kollegan jag har haft.", "Det här behövde jag i dag!",
		},
		questions: []string{
			"Någon som har tips på en bra podd för bilen?", "Hur kopplar ni av efter en tung vecka?",
			"Vad läser ni just nu?", "Vem mer har semester i juli?",
		},
		titles: []string{"{S}", "Tråden om {s}", "Prata av er om {s}", "{S} – hur har ni det?"},
	},
}
