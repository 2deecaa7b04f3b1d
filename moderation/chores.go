package moderation

import "context"

// Chores runs one round of screening's timed jobs: retention, the alert
// about requests that wait too long, and the yearly role confirmation.
// It returns how much it did; one failing job does not stop the others.
func (s *Service) Chores(ctx context.Context) (int, error) {
	total := 0
	var first error
	for _, job := range []func(context.Context) (int, error){s.Purge, s.AlertWaiting, s.AskConfirmations, s.LapseUnconfirmed} {
		n, err := job(ctx)
		total += n
		if err != nil && first == nil {
			first = err
		}
	}
	return total, first
}
