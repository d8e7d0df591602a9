package sim

// Text templates, per language and intent. Placeholders:
//
//	{P} product (full name or an alias)   {p} product alias           {B} brand       {C} rival product
//	{D} rival brand                       {H} hashtag                 {$} cashtag     {M} brand account mention
//	{S} support account mention           {f} mention of a friend     {U} product link {N} news link
//	{F} feature people talk about         {I} a problem ("my X <issue>") {n} small number {so} intensifier
//	{e+} {e-} {e?} {e!} emoji (positive, negative, pondering, laughing; sometimes none)
//	{name} first name of the author replied to   {sig} initials of a support agent   {cat} category noun
//
// A template may start with options in brackets: [+], [-], [0] override the intent's sentiment; [x:code]
// sets X's lang field for texts X would not classify (emoji-only, very short).

type intent uint8

const (
	iPraise intent = iota
	iComplaint
	iQuestion
	iRecommend
	iPurchase
	iChurn
	iNews
	iCompare
	iNoise
	iAgree
	iDisagree
	iAnswer
	iChatter
	iSupport
	iDeal
	iAnnounce
	iQuote
	numIntents
)

var intentNames = [numIntents]string{
	iPraise: "praise", iComplaint: "complaint", iQuestion: "question", iRecommend: "recommendation",
	iPurchase: "purchase_intent", iChurn: "churn_intent", iNews: "news", iCompare: "comparison", iNoise: "noise",
	iAgree: "agreement", iDisagree: "disagreement", iAnswer: "answer", iChatter: "chatter", iSupport: "support",
	iDeal: "deal", iAnnounce: "announcement", iQuote: "quote_comment",
}

var intentSentiment = [numIntents]int8{
	iPraise: 1, iComplaint: -1, iRecommend: 1, iPurchase: 1, iChurn: -1, iAnnounce: 1,
}

var langs = []string{"en", "es", "de", "fr", "pt"}

var textTemplates = map[string]map[intent][]string{
	"en": {
		iPraise: {
			"Honestly the {F} on my {P} is {so} good {e+}",
			"{P} after {n} weeks: zero complaints. {B} nailed it {e+}",
			"ok I take it back, {P} is not bad at all",
			"can't stop talking about my {p} {e+}",
			"Shoutout to {S} for sorting out my issue in 10 minutes. That's how it's done {e+}",
			"Best purchase this year: {P}. The {F} alone is worth it",
			"{B} just gets it. {P} is {so} smooth {e+}",
			"never thought I'd say this but {P} > {C}",
			"lovin my new {p} <3",
			"Can't complain about {P} tbh, does exactly what it says",
			"{P} + rainy sunday = perfect {e+}",
			"ngl the {F} on {P} is {so} underrated",
			"{M} you guys really outdid yourselves with {P} {e+}",
		},
		iComplaint: {
			"{M} my {p} {I}. Not happy {e-}",
			"{so} done with {B}. My {P} {I} {e-}",
			"Third time this month my {P} {I}. {S} are you even reading these?",
			"not impressed with {P} at all. The {F} is a joke",
			"My {P} {I} and support just sends me a link to the FAQ {e-}",
			"why is my {p} like this??? it {I} {e-}",
			"{B} customer service is a nightmare. {n} days and no answer {e-}",
			"[-]WORST. {P}. EVER.",
			"paid full price for {P} and it {I}. smh",
			"the {F} on {P} doesn't even work properly {e-}",
			"{S} still waiting on a reply... {n} days now",
			"hey {M}, my {p} {I} & nobody can tell me why",
		},
		iQuestion: {
			"Anyone know if the {F} on {P} is any good? {e?}",
			"{S} how do I reset my {p}? {e?}",
			"Is {P} worth it or should I wait for the next one? {e?}",
			"{P} or {C}? Help me decide {e?}",
			"Quick q: is the {F} on {P} better than on {C}?",
			"What's going on with {B} prices lately?",
			"does {P} actually last a full day or is that marketing {e?}",
		},
		iRecommend: {
			"If you're after a {cat}, get {P}. Trust me {e+}",
			"PSA: {P} is on sale {U}",
			"{f} you need {P} in your life",
			"Recommend {P} to anyone who asks. The {F} is great",
			"Switched to {B} last year, best decision. {P} is {so} good",
		},
		iPurchase: {
			"Just ordered {P}!! {e+}",
			"Finally pulled the trigger on {P} {U}",
			"thinking about getting {P} this weekend {e?}",
			"Picked up {P} today. First impressions soon",
			"Switching from {C} to {P}, wish me luck",
			"my {p} arrives tomorrow and I'm {so} excited {e+}",
		},
		iChurn: {
			"That's it, I'm switching to {D}. {B} just lost a customer {e-}",
			"Cancelled my {B} account today. Nobody there seems to care {e-}",
			"never buying {B} again",
			"Returning {P} tomorrow. Going back to {C}",
			"after {n} years with {B} I'm out. the {F} was the last straw",
		},
		iNews: {
			"{B} unveils {P} with a bigger focus on {F} {N}",
			"{B} shares up 6% after a strong quarter {$} {N}",
			"Report: {B} to raise prices next quarter {N}",
			"{B} confirms outage affecting {F}, fix in progress {N}",
			"Review: {P} gets the {F} right, but that price {N}",
			"{B} and {D} are both chasing the same customers this year {N}",
		},
		iCompare: {
			"{P} vs {C}: the {F} is better on the {p} but {D} wins on price",
			"Tried both {P} and {C}. Honestly can't tell the difference",
			"{C} owners, is it really better than {P}? {e?}",
		},
		iNoise: {
			"Wile E. Coyote really needs to stop ordering from acme {e!}",
			"my pulse when my boss says 'quick call?' {e!}",
			"the flux capacitor joke never gets old",
			"need coffee. lots of coffee ☕",
			"who else is still awake lol",
			"bean and cheese burrito > everything",
			"that moment when the wifi drops right before you hit send {e-}",
		},
		iAgree: {
			"[-]same here, mine {I} too {e-}",
			"[-]ugh, exactly the same with mine",
			"[-]this is why I returned mine",
			"[+]100% agree, best thing I bought this year",
			"[+]mine too! {e+}",
			"[+]couldn't agree more",
			"[-]+1, been waiting {n} days for a fix",
		},
		iDisagree: {
			"[+]really? mine's been perfect",
			"[0]skill issue tbh {e!}",
			"[-]hard disagree, {C} is way better",
			"[+]wait what, I've had zero problems with mine",
			"[-]you're being generous, it's awful",
		},
		iAnswer: {
			"yes, works fine for me",
			"no idea, following {e?}",
			"I'd wait for the next sale tbh",
			"check the settings, there's a toggle for that",
			"turn it off and on again, works for me every time",
			"mine did that until the last update",
		},
		iChatter: {
			"[x:qst]lol",
			"this 👆",
			"wait what",
			"[x:und]💀💀{e!}",
			"[x:und]😂😂😂",
			"following",
			"the replies here {e!}",
		},
		iSupport: {
			"Hi {name}, sorry to hear about this! Could you send us a DM with your order number so we can take a look? ^{sig}",
			"Hey {name}, that's not the experience we want for you. Please DM us the details and we'll sort it out. ^{sig}",
			"Thanks for flagging, {name}. Our team is aware of the issue and a fix is rolling out this week. ^{sig}",
			"Hi {name}! Try restarting after updating to the latest version. If that doesn't help, DM us 🙏 ^{sig}",
		},
		iDeal: {
			"Price drop: {P} now 20% off {U}",
			"{P} is back in stock {U}",
			"Deal alert: {P} at its lowest price this year {U}",
		},
		iAnnounce: {
			"Meet {P}. The {F} you asked for, available today {U}",
			"We hear you: the update fixing {F} issues is rolling out now. Thanks for your patience 🙏",
			"Weekend treat: double points when you order {P} {U}",
		},
		iQuote: {
			"this {e!}",
			"[-]yep, same problem here",
			"[+]can confirm, {p} is great",
			"[0]interesting take",
			"[-]{B} please read this",
		},
	},
	"es": {
		iPraise: {
			"La {F} de mi {P} es {so} buena {e+}",
			"{P} después de {n} semanas: cero quejas. {B} lo clavó {e+}",
			"no me esperaba nada y {P} no está nada mal",
			"Gracias {S} por resolverlo en 10 minutos {e+}",
			"lo mejor que he comprado este año: {P}",
		},
		iComplaint: {
			"{M} mi {p} {I}. Qué decepción {e-}",
			"Harta de {B}. Mi {P} {I} {e-}",
			"{S} llevo {n} días esperando respuesta",
			"no recomiendo {P} para nada, la {F} es un desastre",
		},
		iQuestion: {
			"¿Alguien sabe si vale la pena {P}? {e?}",
			"¿{P} o {C}? Ayuda {e?}",
			"{S} ¿cómo reinicio mi {p}?",
		},
		iRecommend: {
			"Si buscas {cat}, {P} sin duda {e+}",
			"{f} tienes que probar {P}",
		},
		iPurchase: {
			"¡Por fin pedí {P}! {e+}",
			"pensando en comprarme {P} este finde {e?}",
		},
		iChurn: {
			"Me cambio a {D}. {B} acaba de perder un cliente {e-}",
			"nunca más compro nada de {B}",
		},
		iNews: {
			"{B} presenta {P} {N}",
			"{B} subirá precios el próximo trimestre, según un informe {N}",
		},
		iCompare: {
			"{P} vs {C}: sinceramente no noto la diferencia",
		},
		iNoise: {
			"necesito un café ya ☕",
			"lunes otra vez {e-}",
		},
		iAgree: {
			"[-]a mí me pasa lo mismo {e-}",
			"[+]totalmente de acuerdo {e+}",
		},
		iDisagree: {
			"[+]¿en serio? a mí me va perfecto",
			"[-]pues yo no lo recomendaría",
		},
		iAnswer: {
			"sí, a mí me funciona bien",
			"ni idea, sigo el hilo",
		},
		iChatter: {
			"[x:und]jajaja",
			"jajaja no puede ser {e!}",
		},
		iSupport: {
			"Hola {name}, sentimos mucho lo ocurrido. ¿Nos escribes por DM con tu número de pedido? ^{sig}",
			"¡Hola {name}! Ya estamos trabajando en una solución, gracias por tu paciencia. ^{sig}",
		},
		iDeal:     {"Oferta: {P} con 20% de descuento {U}"},
		iAnnounce: {"Llega {P}. Disponible desde hoy {U}"},
		iQuote:    {"esto {e!}", "[-]me pasa igual"},
	},
	"de": {
		iPraise: {
			"Der {F} von meinem {P} ist echt {so} gut {e+}",
			"{P} nach {n} Wochen: keine Beschwerden. {B} hat abgeliefert {e+}",
			"muss zugeben, {P} ist gar nicht schlecht",
			"Danke {S}, Problem in 10 Minuten gelöst {e+}",
		},
		iComplaint: {
			"{M} mein {p} {I}. Echt enttäuschend {e-}",
			"Hab die Nase voll von {B}. Mein {P} {I} {e-}",
			"{S} warte seit {n} Tagen auf eine Antwort",
			"Kann {P} nicht empfehlen, der {F} ist ein Witz",
		},
		iQuestion: {
			"Lohnt sich {P}? Erfahrungen? {e?}",
			"{P} oder {C}? Hilfe {e?}",
			"{S} wie setze ich mein {p} zurück?",
		},
		iRecommend: {
			"Wer {cat} sucht: {P}. Punkt. {e+}",
			"{f} du brauchst {P}",
		},
		iPurchase: {
			"Endlich {P} bestellt! {e+}",
			"überlege, mir am Wochenende {P} zu holen {e?}",
		},
		iChurn: {
			"Das war's, ich wechsle zu {D}. {B} hat einen Kunden verloren {e-}",
			"nie wieder {B}",
		},
		iNews: {
			"{B} stellt {P} vor {N}",
			"Bericht: {B} will die Preise erhöhen {N}",
		},
		iCompare: {
			"{P} vs {C}: ehrlich gesagt kaum ein Unterschied",
		},
		iNoise: {
			"Montag. Kaffee. Mehr gibt's nicht zu sagen ☕",
			"wer ist noch wach lol",
		},
		iAgree: {
			"[-]bei mir genau das gleiche {e-}",
			"[+]absolut, sehe ich genauso {e+}",
		},
		iDisagree: {
			"[+]echt? meins läuft perfekt",
			"[-]würde ich nicht empfehlen",
		},
		iAnswer: {
			"ja, läuft bei mir problemlos",
			"keine Ahnung, folge mal",
		},
		iChatter: {
			"[x:qst]haha",
			"haha genau {e!}",
		},
		iSupport: {
			"Hallo {name}, das tut uns leid! Schick uns bitte eine DM mit deiner Bestellnummer, dann schauen wir uns das an. ^{sig}",
			"Hi {name}, wir arbeiten bereits an einer Lösung. Danke für deine Geduld! ^{sig}",
		},
		iDeal:     {"Angebot: {P} jetzt 20 % günstiger {U}"},
		iAnnounce: {"Neu: {P}. Ab heute erhältlich {U}"},
		iQuote:    {"das hier {e!}", "[-]same bei mir"},
	},
	"fr": {
		iPraise: {
			"L'{F} de mon {P} est {so} bien {e+}",
			"{P} après {n} semaines : rien à redire. {B} a assuré {e+}",
			"franchement {P} c'est pas mal du tout",
			"Merci {S}, problème réglé en 10 minutes {e+}",
		},
		iComplaint: {
			"{M} mon {p} {I}. Très déçu {e-}",
			"Ras le bol de {B}. Mon {P} {I} {e-}",
			"{S} j'attends une réponse depuis {n} jours",
			"je déconseille {P}, la {F} est une blague",
		},
		iQuestion: {
			"Quelqu'un a testé {P} ? Ça vaut le coup ? {e?}",
			"{P} ou {C} ? J'hésite {e?}",
			"{S} comment je réinitialise mon {p} ?",
		},
		iRecommend: {
			"Si vous cherchez un {cat}, prenez {P} {e+}",
			"{f} il te faut {P}",
		},
		iPurchase: {
			"Enfin commandé {P} ! {e+}",
			"je pense craquer pour {P} ce week-end {e?}",
		},
		iChurn: {
			"C'est fini, je passe chez {D}. {B} vient de perdre un client {e-}",
			"plus jamais {B}",
		},
		iNews: {
			"{B} présente {P} {N}",
			"{B} va augmenter ses prix selon un rapport {N}",
		},
		iCompare: {
			"{P} vs {C} : honnêtement je vois pas la différence",
		},
		iNoise: {
			"ce lundi matin a duré 3 jours",
			"besoin d'un café, vite ☕",
		},
		iAgree: {
			"[-]pareil pour moi {e-}",
			"[+]carrément d'accord {e+}",
		},
		iDisagree: {
			"[+]ah bon ? le mien marche nickel",
			"[-]je le déconseille perso",
		},
		iAnswer: {
			"oui, ça marche bien chez moi",
			"aucune idée, je suis le fil",
		},
		iChatter: {
			"[x:qst]mdr",
			"mdrr {e!}",
		},
		iSupport: {
			"Bonjour {name}, désolés pour ce souci ! Peux-tu nous envoyer ton numéro de commande en DM ? ^{sig}",
			"Bonjour {name}, nos équipes travaillent sur un correctif. Merci pour ta patience ! ^{sig}",
		},
		iDeal:     {"Bon plan : {P} à -20 % {U}"},
		iAnnounce: {"Voici {P}. Disponible dès aujourd'hui {U}"},
		iQuote:    {"ça {e!}", "[-]pareil chez moi"},
	},
	"pt": {
		iPraise: {
			"A {F} do meu {P} é {so} boa {e+}",
			"{P} depois de {n} semanas: zero reclamações. {B} mandou bem {e+}",
			"confesso que {P} não é nada mal",
			"Valeu {S}, resolveram em 10 minutos {e+}",
		},
		iComplaint: {
			"{M} meu {p} {I}. Que decepção {e-}",
			"Cansei da {B}. Meu {P} {I} {e-}",
			"{S} esperando resposta há {n} dias",
			"não recomendo {P}, a {F} é uma piada",
		},
		iQuestion: {
			"Alguém sabe se {P} vale a pena? {e?}",
			"{P} ou {C}? Me ajudem {e?}",
			"{S} como reseto meu {p}?",
		},
		iRecommend: {
			"Se você procura {cat}, vai de {P} {e+}",
			"{f} você precisa de {P}",
		},
		iPurchase: {
			"Finalmente comprei {P}! {e+}",
			"pensando em pegar {P} esse fim de semana {e?}",
		},
		iChurn: {
			"Chega, vou pra {D}. A {B} perdeu um cliente {e-}",
			"nunca mais compro da {B}",
		},
		iNews: {
			"{B} apresenta {P} {N}",
			"{B} deve aumentar preços no próximo trimestre {N}",
		},
		iCompare: {
			"{P} vs {C}: sinceramente não vejo diferença",
		},
		iNoise: {
			"preciso de café urgente ☕",
			"segunda-feira de novo {e-}",
		},
		iAgree: {
			"[-]comigo é igualzinho {e-}",
			"[+]concordo demais {e+}",
		},
		iDisagree: {
			"[+]sério? o meu funciona perfeito",
			"[-]eu não recomendaria",
		},
		iAnswer: {
			"sim, aqui funciona de boa",
			"não faço ideia, acompanhando",
		},
		iChatter: {
			"[x:und]kkkkkk",
			"kkkk é verdade {e!}",
		},
		iSupport: {
			"Oi {name}, sentimos muito! Pode mandar o número do pedido por DM pra gente verificar? ^{sig}",
			"Oi {name}, nosso time já está trabalhando numa correção. Obrigado pela paciência! ^{sig}",
		},
		iDeal:     {"Promoção: {P} com 20% de desconto {U}"},
		iAnnounce: {"Chegou {P}. Disponível a partir de hoje {U}"},
		iQuote:    {"isso {e!}", "[-]comigo também"},
	},
}

// Reddit submission titles, per language and intent; the body comes from the text templates.
var titleTemplates = map[string]map[intent][]string{
	"en": {
		iPraise:    {"{P} after {n} months: honestly impressed", "Appreciation post for the {F} on {P}", "{B} support actually fixed my issue in one day"},
		iComplaint: {"My {p} {I}. What are my options?", "Anyone else having problems with the {F} on {P}?", "Really disappointed with {B} lately"},
		iQuestion:  {"{P} or {C}?", "Is {P} worth it in 2026?", "Question about the {F} on {P}"},
		iRecommend: {"PSA: {P} is on sale right now", "If you're on the fence about {P}, just get it"},
		iPurchase:  {"Finally got the {P}!", "Buying {P} this week, anything I should know?"},
		iChurn:     {"Leaving {B} after {n} years", "Switched from {P} to {C}, here's why"},
		iNews:      {"{B} unveils {P}", "{B} to raise prices next quarter, report says", "{B} confirms outage affecting {F}"},
		iCompare:   {"{P} vs {C}: my experience after a month"},
		iNoise:     {"What's your go-to coffee order?", "Does anyone still use a flip phone?"},
		iAnnounce:  {"Official: {P} is here. Ask us anything"},
	},
	"es": {
		iPraise:    {"{P} después de {n} meses: muy contento"},
		iComplaint: {"Mi {p} {I}, ¿qué hago?"},
		iQuestion:  {"¿{P} o {C}?"},
		iChurn:     {"Me voy de {B} después de {n} años"},
		iNews:      {"{B} presenta {P}"},
		iNoise:     {"¿Qué café pedís normalmente?"},
	},
	"de": {
		iPraise:    {"{P} nach {n} Monaten: echt zufrieden"},
		iComplaint: {"Mein {p} {I} – was tun?"},
		iQuestion:  {"{P} oder {C}?"},
		iChurn:     {"Nach {n} Jahren weg von {B}"},
		iNews:      {"{B} stellt {P} vor"},
		iNoise:     {"Welche Kaffeemaschine habt ihr?"},
	},
	"fr": {
		iPraise:    {"{P} après {n} mois : très satisfait"},
		iComplaint: {"Mon {p} {I}, des idées ?"},
		iQuestion:  {"{P} ou {C} ?"},
		iChurn:     {"Je quitte {B} après {n} ans"},
		iNews:      {"{B} présente {P}"},
		iNoise:     {"Votre café préféré à Paris ?"},
	},
	"pt": {
		iPraise:    {"{P} depois de {n} meses: muito satisfeito"},
		iComplaint: {"Meu {p} {I}, o que faço?"},
		iQuestion:  {"{P} ou {C}?"},
		iChurn:     {"Saindo da {B} depois de {n} anos"},
		iNews:      {"{B} apresenta {P}"},
		iNoise:     {"Qual café vocês mais pedem?"},
	},
}

// Extra sentences that make Reddit bodies longer than tweets.
var redditExtras = map[string][]string{
	"en": {
		"Edit: thanks for all the replies, didn't expect this to blow up.",
		"For context I've been using {B} stuff for {n} years.",
		"Tried everything in the FAQ already.",
		"TL;DR: {P} is {so} good but not perfect.",
		"Not sponsored, obviously.",
		"Curious what everyone else thinks.",
	},
	"es": {"Edit: gracias por las respuestas.", "Para contexto, uso {B} desde hace {n} años."},
	"de": {"Edit: danke für die Antworten!", "Zum Kontext: ich nutze {B} seit {n} Jahren."},
	"fr": {"Edit : merci pour vos réponses.", "Pour le contexte, j'utilise {B} depuis {n} ans."},
	"pt": {"Edit: valeu pelas respostas.", "Pra contextualizar, uso {B} há {n} anos."},
}

var automodTexts = []string{
	"Thank you for posting to r/{sub}! Please make sure your post follows the rules in the sidebar. Questions about orders and refunds belong in the weekly support thread.\n\n*I am a bot, and this action was performed automatically. Please [contact the moderators of this subreddit](/message/compose/?to=/r/{sub}) if you have any questions or concerns.*",
	"Reminder: do not share order numbers, emails or account details in public comments.\n\n*I am a bot, and this action was performed automatically. Please [contact the moderators of this subreddit](/message/compose/?to=/r/{sub}) if you have any questions or concerns.*",
}

var (
	emojiPos   = []string{"😍", "🔥", "🙌", "❤️", "👏", "😊", "💯", "✨", "🥰", "👍", "🤩"}
	emojiNeg   = []string{"😡", "🙄", "😤", "💀", "😒", "👎", "🤬", "😩", "🫠", "🤦‍♀️", "🤦‍♂️"}
	emojiThink = []string{"🤔", "👀", "🤷", "🧐", "🤷‍♂️"}
	emojiLaugh = []string{"😂", "🤣", "💀", "😭", "😅"}
)

var intensifiers = map[string][]string{
	"en": {"so", "sooo", "soooo", "SO", "really", "insanely", "ridiculously"},
	"es": {"muy", "súper", "re", "muuuy"},
	"de": {"so", "sooo", "mega", "richtig"},
	"fr": {"trop", "tellement", "vraiment", "troooop"},
	"pt": {"muito", "mt", "super", "muuuito"},
}

var rivalFallback = map[string][2]string{
	"en": {"my old one", "the competition"},
	"es": {"el anterior", "la competencia"},
	"de": {"dem alten", "die Konkurrenz"},
	"fr": {"l'ancien", "la concurrence"},
	"pt": {"o antigo", "a concorrência"},
}
