package sim

// Name, place and profile material for the author population. Each culture has its own lists so that a
// first+last pair never repeats across cultures (which keeps handles unique).

type culture struct {
	code   string
	lang   string  // language people of this culture post in when they do not post in English
	native float64 // probability that a post is in lang rather than English
	weight float64 // share of the population
	first  []string
	last   []string
	cities []string
}

var cultures = []culture{
	{code: "us", lang: "en", weight: 0.30,
		first:  []string{"James", "Michael", "Emily", "Sarah", "Jessica", "David", "Ashley", "Chris", "Megan", "Tyler", "Brandon", "Olivia", "Madison", "Jordan", "Kayla", "Ryan"},
		last:   []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Thomas", "Moore", "Jackson", "Thompson", "White", "Harris", "Clark"},
		cities: []string{"New York, NY", "Los Angeles, CA", "Chicago, IL", "Austin, TX", "Seattle, WA", "Denver, CO", "Atlanta, GA", "Portland, OR", "Boston, MA", "Miami, FL", "NYC", "Bay Area", "Philly"}},
	{code: "uk", lang: "en", weight: 0.12,
		first:  []string{"Oliver", "Harry", "George", "Amelia", "Isla", "Jack", "Charlotte", "Sophie", "Callum", "Ellie", "Freya", "Alfie", "Lewis", "Poppy", "Rhys", "Niamh"},
		last:   []string{"Wright", "Walker", "Robinson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Turner", "Cooper", "Ward", "Morris", "Baker", "Evans", "Patel", "Murphy"},
		cities: []string{"London", "Manchester", "Leeds", "Glasgow", "Bristol", "Cardiff", "Birmingham, UK", "Edinburgh", "London, England", "Dublin"}},
	{code: "in", lang: "en", weight: 0.08,
		first:  []string{"Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Pooja", "Aditya", "Neha", "Karthik", "Divya", "Siddharth", "Meera"},
		last:   []string{"Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Mehta", "Rao", "Joshi", "Das", "Menon", "Kapoor", "Bose", "Pillai", "Agarwal"},
		cities: []string{"Bengaluru", "Mumbai", "New Delhi", "Hyderabad", "Pune", "Chennai", "Bangalore, India", "Kolkata"}},
	{code: "ng", lang: "en", weight: 0.04,
		first:  []string{"Chidi", "Ngozi", "Tunde", "Aisha", "Emeka", "Funmi", "Ifeanyi", "Zainab", "Olumide", "Amaka", "Segun", "Chiamaka", "Yusuf", "Bukola", "Kelechi", "Temi"},
		last:   []string{"Okafor", "Adeyemi", "Balogun", "Okonkwo", "Nwosu", "Bello", "Eze", "Ogunleye", "Abubakar", "Adebayo", "Obi", "Nnamdi", "Olawale", "Ibrahim", "Chukwu", "Akande"},
		cities: []string{"Lagos", "Abuja", "Ibadan", "Port Harcourt", "Lagos, Nigeria", "Enugu"}},
	{code: "jp", lang: "en", weight: 0.03,
		first:  []string{"Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Yuto", "Sakura", "Kaito", "Mei", "Riku", "Yuna", "Takumi", "Akari", "Daiki", "Rin"},
		last:   []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura"},
		cities: []string{"Tokyo", "Osaka", "Kyoto", "Yokohama", "東京", "Fukuoka"}},
	{code: "es", lang: "es", native: 0.72, weight: 0.07,
		first:  []string{"Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Álvaro", "Carmen", "Javier", "Paula", "Sergio", "Marta", "Diego", "Irene", "Adrián", "Elena", "Raúl"},
		last:   []string{"García", "Fernández", "González", "Rodríguez", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Muñoz", "Jiménez", "Navarro", "Romero", "Torres"},
		cities: []string{"Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga", "Zaragoza", "Madrid, España"}},
	{code: "mx", lang: "es", native: 0.78, weight: 0.07,
		first:  []string{"Ximena", "Santiago", "Valeria", "Emiliano", "Regina", "Mateo", "Fernanda", "Leonardo", "Guadalupe", "Alejandro", "Daniela", "Iker", "Renata", "Jorge", "Mariana", "Luis"},
		last:   []string{"Hernández", "López", "Ramírez", "Flores", "Cruz", "Reyes", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Vargas", "Castillo", "Mendoza", "Aguilar", "Rojas", "Salazar"},
		cities: []string{"CDMX", "Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Bogotá", "Buenos Aires", "Santiago de Chile", "Lima"}},
	{code: "de", lang: "de", native: 0.62, weight: 0.09,
		first:  []string{"Lukas", "Lena", "Jonas", "Anna", "Felix", "Laura", "Maximilian", "Hannah", "Leon", "Lea", "Paul", "Johanna", "Tobias", "Katharina", "Niklas", "Jana"},
		last:   []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"},
		cities: []string{"Berlin", "Hamburg", "München", "Köln", "Leipzig", "Frankfurt am Main", "Wien", "Zürich", "Stuttgart", "Ruhrpott"}},
	{code: "fr", lang: "fr", native: 0.7, weight: 0.08,
		first:  []string{"Camille", "Lucas", "Chloé", "Hugo", "Manon", "Louis", "Léa", "Théo", "Inès", "Nathan", "Juliette", "Arthur", "Clara", "Mathis", "Zoé", "Antoine"},
		last:   []string{"Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garnier", "Rousseau", "Fontaine", "Chevalier"},
		cities: []string{"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bruxelles", "Montréal", "Bordeaux", "Lille"}},
	{code: "br", lang: "pt", native: 0.8, weight: 0.09,
		first:  []string{"João", "Ana", "Gabriel", "Beatriz", "Pedro", "Larissa", "Lucas", "Camila", "Rafael", "Juliana", "Guilherme", "Letícia", "Matheus", "Fernanda", "Thiago", "Bruna"},
		last:   []string{"Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Carvalho", "Almeida", "Ribeiro", "Rodrigues", "Gomes", "Barbosa", "Araújo", "Cardoso", "Rocha", "Nascimento"},
		cities: []string{"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre", "Recife", "Curitiba", "Salvador", "SP", "Brasília"}},
	{code: "pt", lang: "pt", native: 0.7, weight: 0.03,
		first:  []string{"Tiago", "Inês", "Rodrigo", "Mariana", "Duarte", "Leonor", "Francisco", "Matilde", "Gonçalo", "Beatriz", "Diogo", "Carolina", "Rui", "Catarina", "Miguel", "Joana"},
		last:   []string{"Ferreira", "Costa", "Martins", "Sousa", "Fernandes", "Gonçalves", "Marques", "Alves", "Lopes", "Mendes", "Pinto", "Cunha", "Teixeira", "Moreira", "Correia", "Vieira"},
		cities: []string{"Lisboa", "Porto", "Braga", "Coimbra", "Faro", "Lisbon, Portugal"}},
}

// vagueLocations are what many people put instead of a city.
var vagueLocations = []string{"Earth", "🌍", "somewhere", "the internet", "she/her", "404", "in my head", "everywhere & nowhere", "Planet Earth", "home", "🏠", "on the road"}

// Bio material per language.
var bioRoles = map[string][]string{
	"en": {"product designer", "nurse", "dad of two", "mom of 3", "software engineer", "student", "barista", "teacher", "photographer", "marketing person", "data nerd", "retired engineer", "small business owner", "PhD student", "sales @ a startup", "freelance writer", "gamer", "UX researcher", "accountant", "line cook"},
	"es": {"diseñadora", "enfermero", "estudiante", "profe", "ingeniera de software", "fotógrafo", "periodista", "madre de dos", "emprendedor"},
	"de": {"Softwareentwicklerin", "Student", "Lehrerin", "Fotograf", "Papa", "Krankenpfleger", "Ingenieur", "Journalistin", "Selbstständig"},
	"fr": {"développeuse", "étudiant", "prof", "photographe", "infirmière", "papa", "journaliste", "ingénieur", "graphiste"},
	"pt": {"desenvolvedora", "estudante", "professor", "fotógrafa", "enfermeiro", "jornalista", "engenheira", "designer", "mãe de dois"},
}

var bioInterests = map[string][]string{
	"en": {"coffee", "gadgets", "running", "football", "gaming", "travel", "books", "cats", "dogs", "hiking", "sourdough", "F1", "vinyl", "crypto (sorry)", "cycling", "anime", "personal finance", "tech", "music", "plants"},
	"es": {"café", "fútbol", "viajes", "libros", "series", "música", "tecnología", "montaña", "gatos"},
	"de": {"Kaffee", "Fußball", "Reisen", "Bücher", "Technik", "Radfahren", "Musik", "Berge", "Katzen"},
	"fr": {"café", "foot", "voyages", "livres", "séries", "musique", "tech", "rando", "chats"},
	"pt": {"café", "futebol", "viagens", "livros", "séries", "música", "tecnologia", "praia", "gatos"},
}

var bioExtras = map[string][]string{
	"en": {"opinions my own", "she/her", "he/him", "they/them", "views are mine", "DMs open", "probably overthinking it", "🏳️‍🌈", "⚽", "📷", "☕", "🎮", "🌱", "tweets are not financial advice"},
	"es": {"opiniones propias", "ella", "él", "☕", "⚽", "🌻"},
	"de": {"Meinung ist meine eigene", "sie/ihr", "er/ihm", "☕", "🚲", "🏔️"},
	"fr": {"avis perso", "elle", "il", "☕", "🥐", "📚"},
	"pt": {"opiniões próprias", "ela/dela", "ele/dele", "☕", "⚽", "🌴"},
}

var nameEmoji = []string{"🌻", "✨", "🌙", "🔥", "🎧", "☕", "🌿", "⚡", "🏳️‍🌈", "🇺🇦", "💙", "🐈"}

// Words for Reddit's generated usernames (Adjective-Noun-1234).
var redditAdjectives = []string{"Salty", "Careful", "Fluffy", "Wooden", "Quiet", "Brave", "Lazy", "Curious", "Dizzy", "Rare", "Glad", "Odd", "Sharp", "Humble", "Spicy", "Silent", "Frosty", "Lucky", "Mellow", "Grumpy"}
var redditNouns = []string{"Badger", "Owl", "Pineapple", "Walrus", "Teapot", "Falcon", "Pancake", "Otter", "Cactus", "Lobster", "Raccoon", "Noodle", "Penguin", "Toaster", "Moose", "Pickle", "Koala", "Comet", "Biscuit", "Ferret"}

// asciiFold maps the accented letters of the name lists to ASCII for handles.
var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'Á': "A", 'Â': "A",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "E",
	'í': "i", 'ï': "i", 'î': "i", 'Í': "I",
	'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'Ó': "O",
	'ú': "u", 'ü': "u", 'û': "u", 'Ú': "U",
	'ñ': "n", 'ç': "c", 'ß': "ss", 'Ö': "O", 'Ü': "U",
}
