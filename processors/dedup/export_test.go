package dedup

import "time"

// SetNow replaces the stage's wall clock.
func SetNow(s *Stage, now func() time.Time) { s.now = now }
