package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/entities"
)

// threadEval scores the entities stage with thread inheritance on the simulator's posts (see
// evalSimEntities): every post on its subject, and separately the posts whose entities were their own, were
// inherited, or were not found at all (false negatives only).
type threadEval struct {
	stage *entities.Stage // nil: thread inheritance off, nothing to print
	tc    entities.ThreadConfig
	batch [1]*post.Post

	brand, product [4]catalog.Score // all, own, inherited, none
	posts          [4]int
}

const (
	teAll = iota
	teOwn
	teInherited
	teNone
)

func newThreadEval(rec *catalog.Recognizer, tc entities.ThreadConfig) *threadEval {
	if tc.Horizon <= 0 || tc.MaxPosts <= 0 {
		return &threadEval{}
	}
	return &threadEval{stage: entities.NewThreaded(rec, tc, nil), tc: tc}
}

// forget passes a delete notice to the stage.
func (te *threadEval) forget(ctx context.Context, p *post.Post) error {
	if te.stage == nil {
		return nil
	}
	te.batch[0] = p
	_, err := te.stage.Process(ctx, te.batch[:])
	return err
}

// add runs the stage on p (its text features extracted) and scores it against the gold brand and product.
func (te *threadEval) add(ctx context.Context, p *post.Post, goldB, goldP []string) error {
	if te.stage == nil {
		return nil
	}
	te.batch[0] = p
	if _, err := te.stage.Process(ctx, te.batch[:]); err != nil {
		return err
	}
	var foundB, foundP []string
	group := teNone
	for _, e := range p.Entities {
		if e.Kind == post.EntityProduct {
			foundP = append(foundP, e.ID)
		} else {
			foundB = append(foundB, e.ID)
		}
		group = teOwn
		if entities.Inherited(e) {
			group = teInherited
		}
	}
	for _, g := range []int{teAll, group} {
		subject(&te.brand[g], goldB, foundB)
		subject(&te.product[g], goldP, foundP)
		te.posts[g]++
	}
	return nil
}

func (te *threadEval) print(w io.Writer) {
	if te.stage == nil {
		return
	}
	root := "then the conversation root"
	if te.tc.NoConversation {
		root = "no conversation root"
	}
	fmt.Fprintf(w, "\nWith thread inheritance (horizon %s, up to %d posts; repost, quote, reply, %s): %d posts, %d own, %d inherited, %d none\n\n",
		te.tc.Horizon, te.tc.MaxPosts, root, te.posts[teAll], te.posts[teOwn], te.posts[teInherited], te.posts[teNone])
	printScores(w, []string{
		"brand, all posts, threads", "  posts with own entities", "  posts with inherited entities", "  posts with no entities",
		"product, all posts, threads", "  posts with own entities", "  posts with inherited entities", "  posts with no entities",
	}, append(te.brand[:], te.product[:]...))
}
