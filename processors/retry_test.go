package processors

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetrySucceedsAfterFailures(t *testing.T) {
	calls, seen := 0, 0
	err := Retry(context.Background(), func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("store down")
		}
		return nil
	}, func(error) { seen++ })
	if err != nil || calls != 3 || seen != 2 {
		t.Fatalf("Retry = %v after %d calls and %d reported failures; want nil after 3 calls and 2 failures", err, calls, seen)
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	down := errors.New("store down")
	start := time.Now()
	err := Retry(ctx, func(context.Context) error { return down }, nil)
	if !errors.Is(err, down) {
		t.Fatalf("Retry = %v, want the operation's last error", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("Retry returned %v after the context ended", waited)
	}
}
