// Package kpi is Rapport's trust and loyalty KPI model: the named KPIs with their formulas and versions
// (Catalog, documented in docs/KPIS.md), the ClickHouse rollups that feed them and the refresher that keeps
// those rollups up to date (Refresher), and the query engine that answers a KPI for a brand and time range
// (Engine).
//
// Every KPI is computed from the rollups kpi_hourly (per hour, brand, product, network, language and customer
// segment, summed per day into kpi_daily) and kpi_customer_daily (per customer, brand and day, summed per
// month into kpi_customer_monthly), which the refresher recomputes from posts for every hour touched by newly
// ingested posts. A recomputation replaces the rows of an hour (day, month) as a whole, so a replayed post
// changes no KPI, and the engine reads the latest computation of each bucket.
package kpi

// Unit says how a KPI value reads.
type Unit string

// Units.
const (
	UnitCount   Unit = "count"   // a number of posts or customers
	UnitPercent Unit = "percent" // 0–100
	UnitScore   Unit = "score"   // −100…+100 (net scores)
	UnitIndex   Unit = "index"   // 0–100 composite index
	UnitSeconds Unit = "seconds" // a duration in seconds
)

// Definition describes one KPI.
type Definition struct {
	Name           string   // stable identifier, used in queries: "net_sentiment"
	Title          string   // human title
	Unit           Unit     // how the value reads
	Version        int      // formula version; bumped whenever the formula changes meaning
	Description    string   // the formula in one or two sentences (docs/KPIS.md has the full text)
	HigherIsBetter bool     // the direction of "good", for trend colours
	Components     []string // names of the components a Point carries for this KPI, in display order
}

// KPI names.
const (
	Mentions             = "mentions"
	Opinions             = "opinions"
	NetSentiment         = "net_sentiment"
	NegativeShare        = "negative_share"
	InfluencerSentiment  = "influencer_sentiment"
	NPSProxy             = "nps_proxy"
	ShareOfVoice         = "share_of_voice"
	EngagementRate       = "engagement_rate"
	ResponseRate         = "response_rate"
	FirstResponseMedian  = "first_response_median"
	FirstResponseP90     = "first_response_p90"
	UnresolvedComplaints = "unresolved_complaints"
	TrustIndex           = "trust_index"
	LoyaltyIndex         = "loyalty_index"
	ChurnRiskCustomers   = "churn_risk_customers"
	AverageRating        = "average_rating"
	DuplicateShare       = "duplicate_share"
)

var catalog = []Definition{
	{Name: Mentions, Title: "Mentions", Unit: UnitCount, Version: 1, HigherIsBetter: true,
		Description: "Posts by non-brand authors that mention the brand (or product), duplicates and spam included: the reach of the conversation."},
	{Name: Opinions, Title: "Opinions", Unit: UnitCount, Version: 1, HigherIsBetter: true,
		Description: "Mentions that count as opinions: not by a brand account, not a repost, near-duplicate or cross-network copy (dup_level 0), not spam."},
	{Name: NetSentiment, Title: "Net sentiment", Unit: UnitScore, Version: 1, HigherIsBetter: true,
		Description: "100 × (positive − negative) / scored opinions, using the sentiment aimed at the brand or product (entity sentiment), else the post's."},
	{Name: NegativeShare, Title: "Negative share", Unit: UnitPercent, Version: 1, HigherIsBetter: false,
		Description: "100 × negative / scored opinions."},
	{Name: InfluencerSentiment, Title: "Influencer-weighted sentiment", Unit: UnitScore, Version: 1, HigherIsBetter: true,
		Description: "100 × Σ w·s / Σ w over scored opinions, s the sentiment score in [−1, 1], w = 1 + influence (0–100) of the author."},
	{Name: NPSProxy, Title: "Social NPS proxy", Unit: UnitScore, Version: 1, HigherIsBetter: true,
		Description: "100 × (promoters − detractors) / opinions with evidence. Promoter: 5-star rating, or no rating and a recommend signal or strongly positive sentiment (≥ 0.5). Detractor: 1–3 stars, or no rating and a complaint or churn signal or negative sentiment.",
		Components:  []string{"promoters", "detractors", "base"}},
	{Name: ShareOfVoice, Title: "Share of voice", Unit: UnitPercent, Version: 1, HigherIsBetter: true,
		Description: "100 × opinions mentioning the brand / Σ over every catalogue brand (watched and competitors) of opinions mentioning it, same networks and period.",
		Components:  []string{"brand", "market"}},
	{Name: EngagementRate, Title: "Engagement rate (by followers)", Unit: UnitPercent, Version: 1, HigherIsBetter: true,
		Description: "Aggregate engagement rate by followers: 100 × Σ (likes + reposts + replies + quotes) / Σ author followers, over opinions whose author's follower count is known and positive."},
	{Name: ResponseRate, Title: "Brand response rate", Unit: UnitPercent, Version: 1, HigherIsBetter: true,
		Description: "100 × inbound opinions answered by a brand account / inbound opinions. Inbound: an original or quote post mentioning the brand, or a reply to a brand account.",
		Components:  []string{"inbound", "answered"}},
	{Name: FirstResponseMedian, Title: "First-response time (median)", Unit: UnitSeconds, Version: 1, HigherIsBetter: false,
		Description: "Median of (first brand-account reply − customer post) over answered inbound opinions; wall-clock, or business hours when the query asks."},
	{Name: FirstResponseP90, Title: "First-response time (p90)", Unit: UnitSeconds, Version: 1, HigherIsBetter: false,
		Description: "90th percentile of the first-response time, as the median."},
	{Name: UnresolvedComplaints, Title: "Unresolved complaints", Unit: UnitCount, Version: 1, HigherIsBetter: false,
		Description: "Opinions with a complaint signal that no brand account answered."},
	{Name: TrustIndex, Title: "Trust index", Unit: UnitIndex, Version: 1, HigherIsBetter: true,
		Description: "Weighted mean of five 0–100 components: sentiment (net sentiment rescaled) 0.25, advocacy (NPS proxy rescaled) 0.20, responsiveness (response rate) 0.20, speed (share of answers within one hour) 0.15, resolution (share of complaints answered) 0.20. A component without data is left out and the weights renormalised.",
		Components:  []string{"sentiment", "advocacy", "responsiveness", "speed", "resolution"}},
	{Name: LoyaltyIndex, Title: "Customer loyalty index", Unit: UnitIndex, Version: 1, HigherIsBetter: true,
		Description: "Mean over linked customers who posted about the brand in the period of a 0–100 customer score: 0.35 recency of positive engagement + 0.30 frequency + 0.35 advocacy, minus 15 per unresolved complaint and 30 per churn signal (at most two each), clamped to 0–100.",
		Components:  []string{"recency", "frequency", "advocacy", "unresolved_complaint_share", "churn_signal_share", "customers"}},
	{Name: ChurnRiskCustomers, Title: "Churn-risk customers", Unit: UnitCount, Version: 1, HigherIsBetter: false,
		Description: "Linked customers who in the period voiced a churn signal, or have an unresolved complaint and more negative than positive posts about the brand."},
	{Name: AverageRating, Title: "Average star rating", Unit: UnitIndex, Version: 1, HigherIsBetter: true,
		Description: "Mean star rating (1–5) of rated opinions (reviews)."},
	{Name: DuplicateShare, Title: "Duplicate and spam share", Unit: UnitPercent, Version: 1, HigherIsBetter: false,
		Description: "100 × (mentions − opinions by non-brand authors) / mentions: the part of the conversation that is amplification, copies or spam and does not count as opinion."},
}

// Catalog returns every KPI, in display order. The slice is a copy.
func Catalog() []Definition {
	out := make([]Definition, len(catalog))
	for i, d := range catalog {
		d.Components = append([]string(nil), d.Components...)
		out[i] = d
	}
	return out
}

// Lookup returns the definition of the named KPI.
func Lookup(name string) (Definition, bool) {
	for _, d := range catalog {
		if d.Name == name {
			d.Components = append([]string(nil), d.Components...)
			return d, true
		}
	}
	return Definition{}, false
}

// Leadership lists the KPIs of the leadership view, in display order.
func Leadership() []string {
	return []string{TrustIndex, LoyaltyIndex, NPSProxy, NetSentiment, ShareOfVoice, ResponseRate,
		FirstResponseMedian, FirstResponseP90, EngagementRate, ChurnRiskCustomers, Opinions}
}
