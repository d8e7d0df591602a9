package sim

// The catalogue is small and entirely fictional: five brands in three categories, two pairs of which compete
// head to head. Texts mention products by their full name or by one of the aliases people actually type.

// Category groups brands that compete for the same customers.
type Category int

// Categories of the catalogue.
const (
	Electronics Category = iota
	Coffee
	Fintech
	numCategories
)

func (c Category) String() string {
	switch c {
	case Electronics:
		return "electronics"
	case Coffee:
		return "coffee"
	case Fintech:
		return "fintech"
	}
	return "unknown"
}

// Product is one product of a brand.
type Product struct {
	Name     string   // full name, e.g. "Acme Pulse 3"
	Aliases  []string // what people type instead: "Pulse 3", "pulse3", "the Pulse"
	Hashtags []string // without '#'
}

// Brand is a fictional brand with its products and its official accounts.
type Brand struct {
	Name      string
	Category  Category
	Aliases   []string // other spellings of the brand name
	Hashtags  []string // without '#'
	Cashtag   string   // ticker, without '$'; empty for a private company
	Domain    string   // web site
	Products  []Product
	XMain     string // X handle of the brand account
	XSupport  string // X handle of the customer-care account
	Mastodon  string // acct of the brand's Mastodon account (user@domain); empty if none
	Reddit    string // Reddit username of the official account
	Subreddit string // the brand's community
	Rival     int    // index of the main competitor in Brands(), -1 when none
}

var brands = []Brand{
	{
		Name: "Acme", Category: Electronics, Aliases: []string{"ACME", "acme"},
		Hashtags: []string{"Acme", "AcmePulse", "TeamAcme"}, Cashtag: "ACME", Domain: "acme.example",
		Products: []Product{
			{Name: "Acme Pulse 3", Aliases: []string{"Pulse 3", "pulse3", "the Pulse", "Pulse3"}, Hashtags: []string{"Pulse3", "AcmePulse"}},
			{Name: "Acme Buds Pro", Aliases: []string{"Buds Pro", "AcmeBuds", "buds pro"}, Hashtags: []string{"BudsPro"}},
			{Name: "Acme Home Hub", Aliases: []string{"Home Hub", "HomeHub", "the hub"}, Hashtags: []string{"HomeHub"}},
		},
		XMain: "acme", XSupport: "acmesupport", Mastodon: "acme@social.acme.example", Reddit: "Acme_Official",
		Subreddit: "Acme", Rival: 1,
	},
	{
		Name: "Zentro", Category: Electronics, Aliases: []string{"ZENTRO", "zentro"},
		Hashtags: []string{"Zentro", "ZentroZ9"}, Cashtag: "ZNTR", Domain: "zentro.example",
		Products: []Product{
			{Name: "Zentro Z9", Aliases: []string{"Z9", "z9", "ZentroZ9"}, Hashtags: []string{"ZentroZ9", "Z9"}},
			{Name: "Zentro AirBeats", Aliases: []string{"AirBeats", "airbeats", "Air Beats"}, Hashtags: []string{"AirBeats"}},
			{Name: "Zentro Watch S", Aliases: []string{"Watch S", "ZWatch", "watch s"}, Hashtags: []string{"ZentroWatch"}},
		},
		XMain: "zentro", XSupport: "zentrohelp", Mastodon: "", Reddit: "ZentroTeam",
		Subreddit: "zentro", Rival: 0,
	},
	{
		Name: "Brewhaus", Category: Coffee, Aliases: []string{"BrewHaus", "brewhaus", "Brew Haus"},
		Hashtags: []string{"Brewhaus", "BrewhausRewards"}, Cashtag: "BRWH", Domain: "brewhaus.example",
		Products: []Product{
			{Name: "Brewhaus Cold Brew Tonic", Aliases: []string{"cold brew tonic", "CB tonic", "Cold Brew Tonic"}, Hashtags: []string{"ColdBrewTonic"}},
			{Name: "Brewhaus Oat Flat White", Aliases: []string{"oat flat white", "Oat Flat White", "oat FW"}, Hashtags: []string{"OatFlatWhite"}},
			{Name: "Brewhaus Rewards app", Aliases: []string{"Brewhaus app", "BH app", "the rewards app"}, Hashtags: []string{"BrewhausRewards"}},
		},
		XMain: "brewhaus", XSupport: "brewhauscares", Mastodon: "brewhaus@mastodon.social", Reddit: "Brewhaus_HQ",
		Subreddit: "brewhaus", Rival: 3,
	},
	{
		Name: "Bean & Co", Category: Coffee, Aliases: []string{"Bean and Co", "Bean&Co", "bean & co"},
		Hashtags: []string{"BeanAndCo", "BeanCo"}, Cashtag: "", Domain: "beanandco.example",
		Products: []Product{
			{Name: "Bean & Co Nitro Cold Brew", Aliases: []string{"nitro cold brew", "Nitro", "the nitro"}, Hashtags: []string{"NitroColdBrew"}},
			{Name: "Bean & Co Maple Oat Latte", Aliases: []string{"maple oat latte", "Maple Oat Latte", "the maple latte"}, Hashtags: []string{"MapleOatLatte"}},
		},
		XMain: "beanandco", XSupport: "beanandcohelp", Mastodon: "", Reddit: "BeanAndCo_Team",
		Subreddit: "beanandco", Rival: 2,
	},
	{
		Name: "Fluxbank", Category: Fintech, Aliases: []string{"FluxBank", "Flux", "flux bank"},
		Hashtags: []string{"Fluxbank", "FluxPots"}, Cashtag: "FLXB", Domain: "fluxbank.example",
		Products: []Product{
			{Name: "Fluxbank app", Aliases: []string{"Flux app", "the Flux app", "flux app"}, Hashtags: []string{"Fluxbank"}},
			{Name: "Flux Metal card", Aliases: []string{"Metal card", "metal card", "Flux Metal"}, Hashtags: []string{"FluxMetal"}},
			{Name: "Flux Savings Pots", Aliases: []string{"savings pots", "Pots", "Flux Pots"}, Hashtags: []string{"FluxPots"}},
		},
		XMain: "fluxbank", XSupport: "fluxbankhelp", Mastodon: "fluxbank@mastodon.online", Reddit: "Fluxbank_Official",
		Subreddit: "fluxbank", Rival: -1,
	},
}

// Brands returns the fictional catalogue the stream talks about. The slice is a copy; products and aliases
// are shared and must not be modified.
func Brands() []Brand { return append([]Brand(nil), brands...) }

// BrandAccounts returns the simulated brands' own accounts by network, as a user would configure theirs
// (brands.accounts).
func BrandAccounts() map[string][]string {
	acc := map[string][]string{}
	for _, b := range brands {
		acc["x"] = append(acc["x"], b.XMain, b.XSupport)
		if b.Mastodon != "" {
			acc["mastodon"] = append(acc["mastodon"], b.Mastodon)
		}
		if b.Reddit != "" {
			acc["reddit"] = append(acc["reddit"], b.Reddit)
		}
	}
	return acc
}

// brandWeights is how often each brand is the subject of a post.
var brandWeights = []float64{0.32, 0.22, 0.18, 0.10, 0.18}

// categoryNoun is what a product of the category is called in a sentence ("looking for a new phone").
var categoryNoun = [numCategories]map[string]string{
	Electronics: {"en": "new phone", "es": "móvil nuevo", "de": "neues Handy", "fr": "nouveau téléphone", "pt": "celular novo"},
	Coffee:      {"en": "coffee fix", "es": "café", "de": "Kaffee", "fr": "café", "pt": "café"},
	Fintech:     {"en": "new bank", "es": "banco nuevo", "de": "neue Bank", "fr": "nouvelle banque", "pt": "banco novo"},
}

// features are the things people talk about, per category and language.
var features = [numCategories]map[string][]string{
	Electronics: {
		"en": {"battery life", "camera", "screen", "charging speed", "latest update", "bluetooth", "noise cancelling", "build quality", "face unlock", "speaker"},
		"es": {"batería", "cámara", "pantalla", "última actualización"},
		"de": {"Akku", "Kamera", "Display", "das letzte Update"},
		"fr": {"batterie", "appareil photo", "écran", "dernière mise à jour"},
		"pt": {"bateria", "câmera", "tela", "última atualização"},
	},
	Coffee: {
		"en": {"oat latte", "mobile order", "cold brew", "new winter menu", "rewards app", "pastries", "drive-thru", "staff", "prices"},
		"es": {"café con avena", "pedido por app", "menú de invierno", "precio"},
		"de": {"Hafer-Latte", "App-Bestellung", "Wintermenü", "Preise"},
		"fr": {"latte à l'avoine", "commande en ligne", "menu d'hiver", "prix"},
		"pt": {"latte de aveia", "pedido pelo app", "cardápio de inverno", "preço"},
	},
	Fintech: {
		"en": {"app", "instant transfers", "card payments", "support chat", "savings pots", "exchange rates", "cashback"},
		"es": {"app", "transferencias", "tarjeta", "atención al cliente"},
		"de": {"App", "Überweisungen", "Karte", "Kundenservice"},
		"fr": {"appli", "virements", "carte", "service client"},
		"pt": {"app", "transferências", "cartão", "atendimento"},
	},
}

// issues are complaints, written so that "my <product> <issue>" reads naturally.
var issues = [numCategories]map[string][]string{
	Electronics: {
		"en": {"keeps disconnecting", "won't charge past 80%", "drains overnight", "randomly reboots", "overheats while charging", "flickers every time I open the camera", "lost all my settings after the update", "won't pair anymore"},
		"es": {"se desconecta cada dos minutos", "no carga", "se reinicia sola", "se calienta muchísimo"},
		"de": {"verliert ständig die Verbindung", "lädt nicht mehr", "startet dauernd neu", "wird super heiß"},
		"fr": {"se déconnecte sans arrêt", "ne charge plus", "redémarre tout seul", "chauffe énormément"},
		"pt": {"desconecta toda hora", "não carrega", "reinicia sozinho", "esquenta demais"},
	},
	Coffee: {
		"en": {"was wrong again", "took 40 minutes", "got charged twice", "crashes at checkout", "was lukewarm", "costs almost $8 now"},
		"es": {"llegó frío", "tardó 40 minutos", "me cobraron dos veces"},
		"de": {"war wieder falsch", "hat 40 Minuten gedauert", "wurde doppelt abgebucht"},
		"fr": {"était encore faux", "a pris 40 minutes", "a été débité deux fois"},
		"pt": {"veio errado de novo", "demorou 40 minutos", "foi cobrado duas vezes"},
	},
	Fintech: {
		"en": {"has had my transfer pending for 3 days", "declined my card for no reason", "logged me out and won't let me back in", "froze my account without explanation", "charged a fee I never agreed to", "is down AGAIN"},
		"es": {"me bloqueó la cuenta", "rechazó mi tarjeta", "no funciona otra vez"},
		"de": {"hat mein Konto gesperrt", "hat meine Karte abgelehnt", "geht schon wieder nicht"},
		"fr": {"a bloqué mon compte", "a refusé ma carte", "ne marche plus encore"},
		"pt": {"bloqueou minha conta", "recusou meu cartão", "caiu de novo"},
	},
}

// Subreddits. Brand communities come from the catalogue; these are the general and language ones.
type subreddit struct {
	name     string
	lang     string     // language most posts are written in
	category []Category // what is discussed there; empty means anything
}

var subreddits = []subreddit{
	{"gadgets", "en", []Category{Electronics}},
	{"Android", "en", []Category{Electronics}},
	{"headphones", "en", []Category{Electronics}},
	{"smarthome", "en", []Category{Electronics}},
	{"Coffee", "en", []Category{Coffee}},
	{"cafe", "en", []Category{Coffee}},
	{"personalfinance", "en", []Category{Fintech}},
	{"UKPersonalFinance", "en", []Category{Fintech}},
	{"fintech", "en", []Category{Fintech}},
	{"mildlyinfuriating", "en", nil},
	{"BuyItForLife", "en", nil},
	{"technology", "en", []Category{Electronics, Fintech}},
	{"de", "de", nil},
	{"Finanzen", "de", []Category{Fintech}},
	{"france", "fr", nil},
	{"vosfinances", "fr", []Category{Fintech}},
	{"spain", "es", nil},
	{"mexico", "es", nil},
	{"brasil", "pt", nil},
	{"portugal", "pt", nil},
}

// Mastodon instances, with the language community they lean to. The collector's own instance is the first:
// its accounts have a bare acct.
type instance struct {
	domain string
	lang   string
	weight float64
}

var instances = []instance{
	{"mastodon.social", "", 0.30},
	{"mastodon.online", "", 0.08},
	{"mstdn.social", "", 0.06},
	{"hachyderm.io", "en", 0.06},
	{"fosstodon.org", "en", 0.05},
	{"infosec.exchange", "en", 0.04},
	{"mas.to", "", 0.04},
	{"techhub.social", "en", 0.03},
	{"mastodon.world", "", 0.04},
	{"chaos.social", "de", 0.04},
	{"det.social", "de", 0.03},
	{"norden.social", "de", 0.02},
	{"piaille.fr", "fr", 0.03},
	{"mastodon.tedomum.net", "fr", 0.02},
	{"masto.es", "es", 0.03},
	{"mastodon.uy", "es", 0.01},
	{"mastodon.com.br", "pt", 0.03},
	{"ursal.zone", "pt", 0.01},
}

const homeInstance = "mastodon.social"

// newsSites publish the articles that neutral posts link to.
var newsSites = []string{"techdaily.example", "thegadgetwire.example", "marketpulse.example", "finlens.example", "foodbiz.example"}
