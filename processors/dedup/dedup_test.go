package dedup_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/dedup"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

const campaignText = "FREE Acme Pulse 3 giveaway 🔥 Follow and click https://deals.example/x?ref=%s to enter. Winners announced tonight! #Acme #deal"

// mk returns an upsert by a fresh, few-follower X account (disposable-looking) unless changed.
func mk(id, handle, text string, at time.Duration) *post.Post {
	return &post.Post{
		Network: post.NetworkX, ID: id, Text: text, CreatedAt: t0.Add(at),
		Author: post.Author{ID: "u-" + handle, Handle: handle, Followers: 3, CreatedAt: t0.Add(-24 * time.Hour)},
		Source: post.Source{Topic: "social.raw.x", Partition: 0},
	}
}

// established makes p's author an old account with many followers.
func established(p *post.Post) *post.Post {
	p.Author.Followers = 5000
	p.Author.CreatedAt = t0.AddDate(-8, 0, 0)
	return p
}

func newStage(t *testing.T, cfg dedup.Config, load dedup.Loader) *dedup.Stage {
	t.Helper()
	s, err := dedup.New(cfg, load, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run processes the posts as one batch and returns the ids that continue.
func run(t *testing.T, s *dedup.Stage, ps ...*post.Post) []string {
	t.Helper()
	out, err := s.Process(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range out {
		ids = append(ids, p.ID)
	}
	return ids
}

func checkDup(t *testing.T, p *post.Post, want post.Dup) {
	t.Helper()
	if p.Dup != want {
		t.Errorf("post %s: got Dup %+v; want %+v", p.ID, p.Dup, want)
	}
}

func TestRedeliveriesAreDroppedEditsAndDeletesPass(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	a := mk("1", "alice", "hello", 0)
	if got := run(t, s, a, mk("2", "bob", "hi", time.Second)); len(got) != 2 {
		t.Fatalf("first delivery: %v continue; want both", got)
	}
	again := mk("1", "alice", "hello", 0)
	edit := mk("1", "alice", "hello, edited", 0)
	edit.EditedAt = t0.Add(time.Minute)
	staleAgain := mk("1", "alice", "hello", 0) // the original version once more, after the edit
	del := &post.Post{Action: post.ActionDelete, Network: post.NetworkX, ID: "2", Source: a.Source}
	otherPart := mk("1", "alice", "hello", 0)
	otherPart.Source.Topic = "social.raw.other"
	got := run(t, s, again, edit, staleAgain, del, del, otherPart)
	if strings.Join(got, ",") != "1,2,2,1" || got == nil {
		t.Errorf("got %v continuing; want the edit, both delete notices and the post on another topic (1,2,2,1)", got)
	}
}

func TestRepostsPointAtTheOriginal(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	p := mk("9", "carol", "RT: something", 0)
	p.Refs.RepostOfID = "5"
	run(t, s, p)
	checkDup(t, p, post.Dup{Level: post.DupRepost, Of: post.UID(post.NetworkX, "5")})
}

func TestNearDuplicatesFormAClusterNamedByItsFirstPost(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	var ps []*post.Post
	for i := range 5 {
		text := strings.Replace(campaignText, "%s", strconv.Itoa(i), 1)
		if i == 2 {
			text = "OMG " + strings.ToUpper(text) // an extra word and shouting: still a copy
		}
		ps = append(ps, mk(strconv.Itoa(100+i), "bot"+strconv.Itoa(i)+"xyz", text, time.Duration(i)*time.Minute))
	}
	run(t, s, ps...)
	first := ps[0].UID()
	checkDup(t, ps[0], post.Dup{})
	checkDup(t, ps[1], post.Dup{Level: post.DupNearText, Of: first, Cluster: first})
	for _, p := range ps[2:] {
		// From the third author on, the burst of disposable accounts is spam.
		checkDup(t, p, post.Dup{Level: post.DupNearText, Of: first, Cluster: first, Spam: true})
	}
}

func TestCoincidenceAmongEstablishedAccountsIsNoCopy(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	text := "my phone keeps disconnecting from the car every single morning and support just sends me a link to the faq"
	a, b := established(mk("1", "alice", text, 0)), established(mk("2", "bobby", text, time.Minute))
	run(t, s, a, b)
	checkDup(t, b, post.Dup{})

	// The same with a text long enough that nobody writes it identically by chance.
	long := "we waited forty minutes at the counter while three baristas argued about whose turn it was to steam the milk, " +
		"then the manager came out, apologised to nobody in particular, took a photo of the queue for the head office and left " +
		"again without serving a single one of the twenty people standing there holding their phones and their patience"
	c, d := established(mk("3", "carol", long, 2*time.Minute)), established(mk("4", "david", long, 3*time.Minute))
	run(t, s, c, d)
	checkDup(t, d, post.Dup{Level: post.DupNearText, Of: c.UID(), Cluster: c.UID()})
}

func TestShortTextsAndBrandAccounts(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	run(t, s, mk("1", "bot1abc", "interesting take", 0), mk("2", "bot2abc", "interesting take", time.Second))
	short := "this is exactly what i was looking for today"
	a, b, c := mk("3", "bot3abc", short, 2*time.Second), mk("4", "bot4abc", short+" friends", 3*time.Second), mk("5", "bot5abc", strings.ToUpper(short)+"!!", 4*time.Second)
	brand1 := mk("6", "acmesupport", strings.Replace(campaignText, "%s", "a", 1), 5*time.Second)
	brand2 := mk("7", "acmehelp", strings.Replace(campaignText, "%s", "b", 1), 6*time.Second)
	brand1.Author.Brand, brand2.Author.Brand = true, true
	ps := []*post.Post{mk("1b", "bot6abc", "interesting take", 7*time.Second), a, b, c, brand1, brand2}
	run(t, s, ps...)
	checkDup(t, ps[0], post.Dup{})                                                   // under min_words: never
	checkDup(t, b, post.Dup{})                                                       // short texts must match word for word
	checkDup(t, c, post.Dup{Level: post.DupNearText, Of: a.UID(), Cluster: a.UID()}) // case and punctuation do not count
	checkDup(t, brand2, post.Dup{})                                                  // a brand's templated answers are service
}

func TestCrossPostsBySameHandle(t *testing.T) {
	s := newStage(t, dedup.Config{}, nil)
	text := strings.Replace(campaignText, "%s", "1", 1)
	x := established(mk("1", "Jenny_Smith42", text, 0))
	m := established(mk("2", "jennysmith42@mas.to", text, 2*time.Minute))
	m.Network, m.Source.Topic = post.NetworkMastodon, "social.raw.mastodon"
	late := established(mk("3", "@jennysmith42", text, 40*time.Minute))
	late.Network, late.Source.Topic = post.NetworkYouTube, "social.raw.youtube"
	run(t, s, x, m, late)
	checkDup(t, m, post.Dup{Level: post.DupCrossNetwork, Of: x.UID()})
	checkDup(t, late, post.Dup{}) // beyond cross_window, and the same author is never a copy by someone else

	// In a campaign (copies by disposable accounts), a bot's copy on its second network is its own
	// cross-post however late.
	s = newStage(t, dedup.Config{}, nil)
	text2 := strings.Replace(campaignText, "%s", "2", 1)
	a, b := mk("10", "bot1abc", text2, 0), mk("11", "bot2abc", text2, time.Minute)
	c := mk("12", "@bot1abc", "Now "+text2, 30*time.Minute)
	c.Network, c.Source.Topic = post.NetworkYouTube, "social.raw.youtube"
	c.Author.Followers, c.Author.CreatedAt = -1, time.Time{}
	run(t, s, a, b, c)
	checkDup(t, c, post.Dup{Level: post.DupCrossNetwork, Of: a.UID(), Cluster: a.UID(), Spam: true})
}

func TestArrivalOrderDoesNotDecideTheOriginal(t *testing.T) {
	text := strings.Replace(campaignText, "%s", "1", 1)
	early, late := mk("1", "bot1abc", text, 0), mk("2", "bot2abc", text, time.Minute)
	s := newStage(t, dedup.Config{}, nil)
	run(t, s, late)
	run(t, s, early)
	checkDup(t, early, post.Dup{})
	checkDup(t, late, post.Dup{})

	// An edit is never a duplicate of its own earlier version.
	edit := mk("2", "bot2abc", text, time.Minute)
	edit.EditedAt = t0.Add(time.Hour)
	run(t, s, edit)
	checkDup(t, edit, post.Dup{Level: post.DupNearText, Of: early.UID(), Cluster: early.UID()})
}

func TestWarmStartRecognisesStoredPostsAndClusters(t *testing.T) {
	text := strings.Replace(campaignText, "%s", "1", 1)
	first, second := mk("1", "bot1abc", text, 0), mk("2", "bot2abc", text, time.Minute)
	second.Dup = post.Dup{Level: post.DupNearText, Of: first.UID(), Cluster: first.UID()}
	var calls []string
	load := func(_ context.Context, topic string, partition int32, since time.Time) ([]*post.Post, error) {
		calls = append(calls, topic+"/"+strconv.Itoa(int(partition))+"@"+since.Format("15:04"))
		if partition != 0 {
			return nil, nil
		}
		a, b := *first, *second
		return []*post.Post{&b, &a}, nil
	}
	s := newStage(t, dedup.Config{Horizon: time.Hour}, load)
	replayed := mk("2", "bot2abc", text, time.Minute)
	third := mk("3", "bot3abc", text, 2*time.Minute)
	elsewhere := mk("4", "bot4abc", "nothing alike at all in this one, a different text entirely here", 3*time.Minute)
	elsewhere.Source.Partition = 1
	if got := run(t, s, replayed, third, elsewhere); strings.Join(got, ",") != "3,4" {
		t.Errorf("got %v continuing; want 3,4 (the replay of a stored post is a redelivery)", got)
	}
	checkDup(t, third, post.Dup{Level: post.DupNearText, Of: first.UID(), Cluster: first.UID(), Spam: true})
	run(t, s, mk("5", "bot5abc", "x", 4*time.Minute))
	if want := "social.raw.x/0@11:03,social.raw.x/1@11:03"; strings.Join(calls, ",") != want {
		t.Errorf("loads: got %v; want each partition once, since the batch's latest post minus the horizon: %s", calls, want)
	}

	// A store that refuses is asked again (the batch waits) until it answers or the context ends.
	down, failures := true, 0
	flaky := newStage(t, dedup.Config{}, func(context.Context, string, int32, time.Time) ([]*post.Post, error) {
		if down {
			failures++
			return nil, errors.New("clickhouse down")
		}
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := flaky.Process(ctx, []*post.Post{mk("1", "a", "b", 0)}); err == nil || !strings.Contains(err.Error(), "clickhouse down") {
		t.Errorf("load failing until the context ends: got %v; want the load error", err)
	}
	if failures < 2 {
		t.Errorf("the failing load was tried %d times; want it retried", failures)
	}
	down = false
	if out, err := flaky.Process(context.Background(), []*post.Post{mk("1", "a", "b", 0)}); err != nil || len(out) != 1 {
		t.Errorf("after the store came back: %d posts, %v; want the post and no error", len(out), err)
	}
}

func TestHorizonAndCapsForget(t *testing.T) {
	text := strings.Replace(campaignText, "%s", "1", 1)
	s := newStage(t, dedup.Config{Horizon: time.Hour}, nil)
	a := mk("1", "bot1abc", text, 0)
	run(t, s, a)
	run(t, s, mk("x", "filler", "tick", 2*time.Hour)) // the clock moves past the horizon
	b, again := mk("2", "bot2abc", text, 2*time.Hour), mk("1", "bot1abc", text, 0)
	if got := run(t, s, b, again); len(got) != 2 {
		t.Errorf("got %v; want both: the original is forgotten, so its redelivery passes", got)
	}
	checkDup(t, b, post.Dup{})

	capped := newStage(t, dedup.Config{MaxTextEntries: 2, MaxRedeliveryEntries: 2}, nil)
	c := mk("1", "bot1abc", text, 0)
	run(t, capped, c, mk("2", "u2", "another text that is long enough to be kept", time.Second),
		mk("3", "u3", "and one more text that is long enough to be kept", 2*time.Second))
	d := mk("4", "bot4abc", text, 3*time.Second)
	if got := run(t, capped, d, mk("1", "bot1abc", text, 0)); len(got) != 2 {
		t.Errorf("capped: got %v continuing; want both (the oldest entries were pushed out)", got)
	}
	checkDup(t, d, post.Dup{})
}

func TestConfigValidationNamesTheField(t *testing.T) {
	for _, c := range []struct {
		cfg  dedup.Config
		want string
	}{
		{dedup.Config{Threshold: 2}, "dedup.threshold"},
		{dedup.Config{MinWords: 1}, "dedup.min_words"},
		{dedup.Config{MinWords: 10, ShortWords: 8}, "dedup.short_words"},
		{dedup.Config{ClusterAuthors: 1000}, "dedup.cluster_authors"},
		{dedup.Config{CrossThreshold: 0.5}, "dedup.cross_threshold"},
		{dedup.Config{Horizon: -time.Second}, "dedup.horizon"},
	} {
		if _, err := dedup.New(c.cfg, nil, nil); err == nil || !strings.HasPrefix(err.Error(), c.want+": ") {
			t.Errorf("New(%+v): got %v; want an error naming %s", c.cfg, err, c.want)
		}
	}
}

func TestMemoryGrowsWithoutLosingTexts(t *testing.T) {
	s := newStage(t, dedup.Config{MaxTextEntries: 5000}, nil)
	text := strings.Replace(campaignText, "%s", "1", 1)
	first := mk("first", "bot1abc", text, 0)
	ps := []*post.Post{first}
	for i := range 3000 { // past the initial ring of 1024 entries, twice
		w := strconv.Itoa(i)
		ps = append(ps, mk("f"+w, "user"+w, "unrelated words number "+w+" about nothing in particular today "+w, time.Duration(i)*time.Millisecond))
	}
	run(t, s, ps...)
	copyOf := mk("copy", "bot2abc", text, time.Minute)
	if got := run(t, s, copyOf, mk("first", "bot1abc", text, 0)); strings.Join(got, ",") != "copy" {
		t.Errorf("got %v continuing; want only the copy (the original's redelivery is dropped)", got)
	}
	checkDup(t, copyOf, post.Dup{Level: post.DupNearText, Of: first.UID(), Cluster: first.UID()})
}

func TestIdlePartitionIsReloaded(t *testing.T) {
	text := strings.Replace(campaignText, "%s", "1", 1)
	stored := []*post.Post{mk("1", "bot1abc", text, 0)}
	loads := 0
	s := newStage(t, dedup.Config{}, func(context.Context, string, int32, time.Time) ([]*post.Post, error) {
		loads++
		var out []*post.Post
		for _, p := range stored {
			cp := *p
			out = append(out, &cp)
		}
		return out, nil
	})
	wall := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	dedup.SetNow(s, func() time.Time { return wall })
	run(t, s, mk("2", "u2", "hello", time.Second))
	wall = wall.Add(30 * time.Second)
	run(t, s, mk("3", "u3", "hello", 2*time.Second))
	if loads != 1 {
		t.Fatalf("loads after two batches 30s apart: %d; want 1", loads)
	}
	// Meanwhile another member stored a post of this partition.
	stored = append(stored, mk("4", "bot4abc", text, 3*time.Second))
	wall = wall.Add(2 * dedup.ReloadIdle)
	got := run(t, s, mk("4", "bot4abc", text, 3*time.Second), mk("1", "bot1abc", text, 0))
	if loads != 2 || len(got) != 0 {
		t.Errorf("after the partition was idle: %d loads, %v continuing; want a second load and both posts recognised as stored", loads, got)
	}
}
